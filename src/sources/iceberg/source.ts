import type { FileSet } from '../../model/file-set';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import { DescribedSource } from '../foreign/source';
import type { VersionPin } from '../table-source';
import { readIcebergVersion, type IcebergVersion } from './version';

/**
 * An Apache Iceberg table, read from its metadata: a version is ONE snapshot (the current
 * one, or the one the pin names) and exactly the files it needs — not every object under
 * the prefix. `table inspect` reads the prefix as described in src/lake (the snapshot
 * list, deletes, orphans beside it).
 */
export class IcebergSource extends DescribedSource {
  constructor(private readonly icebergStore: ObjectStore, table: TableRef, pin: VersionPin, listed: ObjectInfo[]) {
    super('iceberg', icebergStore, table, pin, listed);
  }

  override readVersion(): Promise<IcebergVersion> {
    return readIcebergVersion(this.icebergStore, this.table, this.pin.iceberg ?? {});
  }

  /** The pinned snapshot's files where they are: what validation checks (record counts against footers). */
  override async fileSet(): Promise<FileSet> {
    const version = await this.readVersion();
    const { bucket, prefix } = this.table.location;
    const iceberg = version.origin.iceberg;
    return {
      kind: 'prefix',
      label: `iceberg table ${this.table.uri} snapshot ${iceberg.snapshotId ?? 'none'}`,
      uri: this.table.uri,
      hasManifest: false,
      // Other snapshots' files are objects of the table too, not strays of this one.
      partial: true,
      files: version.files.map((file) => ({
        relativeKey: file.key, bucket, key: prefix + file.key, size: file.bytes, etag: file.etag, kind: file.kind,
        rows: file.rows, rowGroups: file.rowGroups,
        ...(file.schema ? { schema: file.schema } : {}),
      })),
      schema: version.schema,
      totals: version.totals,
    };
  }
}
