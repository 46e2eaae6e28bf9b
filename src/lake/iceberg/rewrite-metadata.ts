import { parse, stringify } from 'lossless-json';
import { isObject, type JsonObject, type JsonValue, type MetadataDocument } from './json';
import type { LocationRewrite } from './location-rewrite';

/** Table properties that hold locations (Iceberg's TableProperties). */
const LOCATION_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'];

/**
 * A table metadata file with every path at the new location: `location`, each snapshot's
 * `manifest-list` (or format 1 `manifests`), `metadata-log`, `statistics` and
 * `partition-statistics` paths, and the location properties. Everything else, ids and
 * numbers included, is kept exactly as written.
 */
export function rewriteMetadataDocument(document: MetadataDocument, rewrite: LocationRewrite): MetadataDocument {
  const json = parse(stringify(document.json) ?? '{}') as JsonObject;
  json['location'] = rewrite.location();
  for (const snapshot of objects(json['snapshots'])) {
    if (typeof snapshot['manifest-list'] === 'string') snapshot['manifest-list'] = rewrite.path(snapshot['manifest-list'], 'manifest list');
    if (Array.isArray(snapshot['manifests'])) snapshot['manifests'] = snapshot['manifests'].map((m) => (typeof m === 'string' ? rewrite.path(m, 'manifest') : m));
  }
  for (const entry of objects(json['metadata-log'])) {
    if (typeof entry['metadata-file'] === 'string') entry['metadata-file'] = rewrite.path(entry['metadata-file'], 'metadata file');
  }
  for (const key of ['statistics', 'partition-statistics']) {
    for (const stats of objects(json[key])) {
      if (typeof stats['statistics-path'] === 'string') stats['statistics-path'] = rewrite.path(stats['statistics-path'], `${key} file`);
    }
  }
  const properties = json['properties'];
  if (isObject(properties ?? null)) {
    for (const key of LOCATION_PROPERTIES) {
      const value = (properties as JsonObject)[key];
      if (typeof value === 'string') (properties as JsonObject)[key] = rewritePrefix(value, rewrite);
    }
  }
  return { json, gzip: document.gzip };
}

/** A location property may name the table location itself (not a file under it). */
function rewritePrefix(value: string, rewrite: LocationRewrite): string {
  if (value.replace(/\/+$/, '') === rewrite.sourceLocation.replace(/\/+$/, '')) return rewrite.location();
  return rewrite.path(value, 'location property');
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
