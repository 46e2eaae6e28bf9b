import { createHash } from 'node:crypto';
import { NotFoundError, UsageError } from '../../errors';
import type { FileSet } from '../../model/file-set';
import type { ObjectStore } from '../../store/types';
import { tableFileSet } from '../../table/file-set';
import { inspectTable, type InspectResult } from '../../table/inspect';
import { parseTableManifest, requireTableManifest, TABLE_MANIFEST } from '../../table/manifest';
import type { TableRef } from '../../table/table-ref';
import { foreignOrigin } from '../foreign/origin';
import type { TableKind, TableSource, TableVersion, VersionPin } from '../table-source';
import { lakevaultRestorer } from './restore';

/** `table inspect` of a lakevault table. */
export interface LakevaultInspectResult extends InspectResult {
  hasManifest: true;
}

/** A table lakevault wrote: Parquet files under `data/` and the manifest that lists them (src/table). */
export class LakevaultSource implements TableSource<LakevaultInspectResult> {
  readonly kind = 'lakevault';
  readonly pin: VersionPin = {};

  constructor(private readonly store: ObjectStore, readonly table: TableRef) {}

  async inspect(options: { concurrency: number }): Promise<LakevaultInspectResult> {
    return { ...(await inspectTable(this.store, this.table, options.concurrency)), hasManifest: true };
  }

  /** The manifest as read now (its bytes kept for their digest): the generation a snapshot copies. */
  async readVersion(): Promise<TableVersion> {
    const { bucket, prefix } = this.table.location;
    const key = prefix + TABLE_MANIFEST;
    const head = await this.store.head(bucket, key);
    if (!head) throw new NotFoundError(`table "${this.table.name}" not found (no manifest at s3://${bucket}/${key})`);
    const bytes = await this.store.getBytes(bucket, key);
    const manifest = parseTableManifest(Buffer.from(bytes).toString('utf8'), `s3://${bucket}/${key}`);
    return {
      generation: manifest.generation,
      digest: 'sha256:' + createHash('sha256').update(bytes).digest('hex'),
      etag: head.etag,
      createdAt: manifest.createdAt,
      schema: manifest.schema,
      files: manifest.files.map((file) => ({
        key: file.key, bytes: file.bytes, etag: file.etag, kind: 'data',
        rows: file.rows, rowGroups: file.rowGroups, digest: file.digest, columnDigests: file.columnDigests,
      })),
      totals: manifest.totals,
      contentDigest: manifest.contentDigest,
      ...(manifest.source ? { origin: manifest.source } : {}),
      manifestKey: TABLE_MANIFEST,
    };
  }

  async fileSet(): Promise<FileSet> {
    return tableFileSet(this.table, await requireTableManifest(this.store, this.table.location, this.table.name));
  }
}

/** A prefix with a lakevault table manifest. It has one version, the one its manifest names: a pin is a usage error. */
export const lakevaultKind: TableKind<LakevaultSource> = {
  name: 'lakevault',

  async open(store, table, probe, pin) {
    if (!(await probe.manifest())) return undefined;
    if (pin.deltaVersion !== undefined) throw new UsageError(`--delta-version applies to Delta tables; ${table.uri} is a lakevault table`);
    if (pin.iceberg) throw new UsageError(`Iceberg options apply to Iceberg tables; ${table.uri} is a lakevault table`);
    return new LakevaultSource(store, table);
  },

  restorer(snapshot) {
    return foreignOrigin(snapshot) ? undefined : lakevaultRestorer;
  },
};
