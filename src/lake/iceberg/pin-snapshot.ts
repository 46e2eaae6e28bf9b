import { LosslessNumber, parse, stringify } from 'lossless-json';
import { IntegrityError } from '../../errors';
import { isObject, type JsonObject, type JsonValue, type MetadataDocument } from './json';

/**
 * A table metadata file that holds one snapshot and makes it current: what a backup of
 * that snapshot restores. The other snapshots' manifest lists were not backed up, so the
 * restored table must not name them (an engine that expires or time-travels would read
 * files that are not there): `snapshots`, `snapshot-log`, `statistics` and
 * `partition-statistics` keep only the snapshot, `current-snapshot-id` names it, the
 * `main` branch points at it and other refs survive only when they point at it too.
 * `metadata-log` keeps the entries `keepMetadataFile` accepts (the earlier metadata files
 * the backup holds). Everything else — schemas, specs, sort orders, properties, ids and
 * numbers — is kept exactly as written.
 */
export function pinToSnapshot(document: MetadataDocument, snapshotId: bigint, keepMetadataFile: (path: string) => boolean): MetadataDocument {
  const json = parse(stringify(document.json) ?? '{}') as JsonObject;
  const id = snapshotId.toString();
  const isPinned = (value: JsonValue | undefined) => value !== undefined && value !== null && String(value) === id;

  const snapshots = objects(json['snapshots']).filter((s) => isPinned(s['snapshot-id']));
  if (snapshots.length !== 1) throw new IntegrityError(`Iceberg metadata has no snapshot ${id} to pin`);
  json['snapshots'] = snapshots;
  json['current-snapshot-id'] = new LosslessNumber(id);
  if (Array.isArray(json['snapshot-log'])) json['snapshot-log'] = objects(json['snapshot-log']).filter((e) => isPinned(e['snapshot-id']));
  for (const key of ['statistics', 'partition-statistics']) {
    if (Array.isArray(json[key])) json[key] = objects(json[key]).filter((s) => isPinned(s['snapshot-id']));
  }
  if (isObject(json['refs'] ?? null) || Number(String(json['format-version'])) >= 2) {
    const refs: JsonObject = {};
    for (const [name, ref] of Object.entries(isObject(json['refs'] ?? null) ? (json['refs'] as JsonObject) : {})) {
      if (isObject(ref) && isPinned(ref['snapshot-id'])) refs[name] = ref;
    }
    const main = refs['main'];
    refs['main'] = { ...(isObject(main) ? main : {}), 'snapshot-id': new LosslessNumber(id), type: 'branch' };
    json['refs'] = refs;
  }
  if (Array.isArray(json['metadata-log'])) {
    json['metadata-log'] = objects(json['metadata-log']).filter((e) => typeof e['metadata-file'] === 'string' && keepMetadataFile(e['metadata-file']));
  }
  return { json, gzip: document.gzip };
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
