import { describePrefix, type DescribeOptions, type PrefixDescription } from '../../lake/describe';
import type { FileSet } from '../../model/file-set';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import type { TableSource, TableVersion, VersionPin } from '../table-source';
import { inspectDescription, type ForeignInspectResult } from './inspect';
import { describedVersion } from './version';

/**
 * A table lakevault did not write, read through its description (src/lake): a listing and
 * the Parquet footers. Every call describes the prefix anew; the first one starts from the
 * listing the registry took to recognise the table.
 */
export class DescribedSource implements TableSource<ForeignInspectResult> {
  private listed: ObjectInfo[] | undefined;

  constructor(readonly kind: string, private readonly store: ObjectStore, readonly table: TableRef, readonly pin: VersionPin, listed: ObjectInfo[]) {
    this.listed = listed;
  }

  describe(options: Pick<DescribeOptions, 'concurrency' | 'onProgress'> = {}): Promise<PrefixDescription> {
    const listed = this.listed;
    this.listed = undefined;
    return describePrefix(this.store, this.table.location, {
      ...options,
      ...(this.pin.deltaVersion !== undefined ? { version: this.pin.deltaVersion } : {}),
      ...(this.pin.iceberg ? { iceberg: this.pin.iceberg } : {}),
      ...(listed ? { listed } : {}),
    });
  }

  async inspect(options: { concurrency: number }): Promise<ForeignInspectResult> {
    return inspectDescription(this.table, await this.describe(options));
  }

  async readVersion(): Promise<TableVersion> {
    return describedVersion(await this.describe());
  }

  async fileSet(): Promise<FileSet> {
    return (await this.describe()).fileSet;
  }
}
