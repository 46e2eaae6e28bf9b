import { Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';
import { TableDigester } from '../../src/digest/column-digest';

/** Fixture tables for the content-digest tests, and their digests. */

/** The digest of the pieces fed in order to one digester, as a reader streaming them would. */
export function digestOf(...pieces: Table[]) {
  const digester = new TableDigester(pieces[0]!.schema);
  for (const piece of pieces) digester.update(piece);
  return digester.result();
}

/** A one-batch table of these columns, in this order, each keeping its exact Arrow type (all nullable). */
export function tableOf(columns: Record<string, Vector>): Table {
  const fields = Object.entries(columns).map(([name, vector]) => new Field(name, vector.type, true));
  const schema = new Schema(fields);
  const length = Object.values(columns)[0]!.length;
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: Object.values(columns).map((v) => v.data[0]!) });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** The same table with one column's values replaced (same position); a one-batch table, as tableOf makes. */
export function withColumn(table: Table, name: string, values: Vector): Table {
  const columns = Object.fromEntries(table.schema.fields.map((field) => [field.name, table.getChild(field.name)!]));
  return tableOf({ ...columns, [name]: values });
}
