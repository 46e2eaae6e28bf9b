import { runLakevault, targetEnv, type CliRun } from '../support/cli';
import type { Config } from '../../src/config/config';
import type { OpenStore } from '../../src/store/open';
import type { CopyOptions, CopyResult, ObjectStore } from '../../src/store/types';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest, writeTableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { removeBucket, testConfig, uniqueBucket } from '../support/target';

/**
 * A store that forwards everything to a real one but lets a test act on copies: fail the
 * copies after the first k (an interrupted run), or run something right after the n-th.
 */
export class CopyHookStore implements ObjectStore {
  copies = 0;
  multipartCopies = 0;
  constructor(
    private readonly inner: ObjectStore,
    private readonly hooks: { failAfter?: number; afterCopy?: (count: number) => Promise<void> } = {},
  ) {}

  get endpoint() { return this.inner.endpoint; }
  list(bucket: string, prefix: string) { return this.inner.list(bucket, prefix); }
  listCommonPrefixes(bucket: string, prefix: string, delimiter?: string) { return this.inner.listCommonPrefixes(bucket, prefix, delimiter); }
  head(...args: Parameters<ObjectStore['head']>) { return this.inner.head(...args); }
  getBytes(...args: Parameters<ObjectStore['getBytes']>) { return this.inner.getBytes(...args); }
  getRange(...args: Parameters<ObjectStore['getRange']>) { return this.inner.getRange(...args); }
  openRead(...args: Parameters<ObjectStore['openRead']>) { return this.inner.openRead(...args); }
  put(...args: Parameters<ObjectStore['put']>) { return this.inner.put(...args); }
  upload(...args: Parameters<ObjectStore['upload']>) { return this.inner.upload(...args); }
  startMultipartUpload(...args: Parameters<ObjectStore['startMultipartUpload']>) { return this.inner.startMultipartUpload(...args); }
  deleteKeys(bucket: string, keys: string[]) { return this.inner.deleteKeys(bucket, keys); }
  bucketExists(bucket: string) { return this.inner.bucketExists(bucket); }
  ensureBucket(bucket: string, options?: { objectLock?: boolean }) { return this.inner.ensureBucket(bucket, options); }
  deleteBucket(bucket: string) { return this.inner.deleteBucket(bucket); }

  async copy(srcBucket: string, srcKey: string, dstBucket: string, dstKey: string, options?: CopyOptions): Promise<CopyResult> {
    if (this.hooks.failAfter !== undefined && this.copies >= this.hooks.failAfter) {
      throw new Error(`simulated crash: copy ${this.copies + 1} refused (fails after ${this.hooks.failAfter})`);
    }
    const result = await this.inner.copy(srcBucket, srcKey, dstBucket, dstKey, options);
    this.copies += 1;
    if (result.multipart) this.multipartCopies += 1;
    await this.hooks.afterCopy?.(this.copies);
    return result;
  }
}

/** Buckets of one test file: warehouse, backups, checkpoints, each unique, and their clean-up. */
export function testBuckets(label: string) {
  const buckets = { lake: uniqueBucket(`${label}-lake`), backups: uniqueBucket(`${label}-bak`), checkpoints: uniqueBucket(`${label}-cp`) };
  const config: Config = testConfig({
    LAKEVAULT_WAREHOUSE: `s3://${buckets.lake}/warehouse`,
    LAKEVAULT_BACKUPS: `s3://${buckets.backups}`,
    LAKEVAULT_CHECKPOINTS: `s3://${buckets.checkpoints}`,
    LAKEVAULT_CONCURRENCY: '8',
  });
  return {
    ...buckets,
    config,
    async cleanup(open: OpenStore) {
      for (const bucket of Object.values(buckets)) await removeBucket(open, bucket);
    },
  };
}

/** The CLI (the built dist/) on the suite's server with these buckets as its three locations. */
export function cliWith(env: ReturnType<typeof testBuckets>): (...args: string[]) => Promise<CliRun> {
  const locations = { LAKEVAULT_WAREHOUSE: `s3://${env.lake}/warehouse`, LAKEVAULT_BACKUPS: `s3://${env.backups}`, LAKEVAULT_CHECKPOINTS: `s3://${env.checkpoints}` };
  return (...args) => runLakevault(args, { env: { ...targetEnv(), ...locations } });
}

export async function makeTable(store: ObjectStore, config: Config, name: string, rows: number, rowsPerFile: number, seed = 42): Promise<TableRef> {
  const table = resolveTable(config, name);
  await createSalesTable(store, table, { rows, seed, rowsPerFile, rowGroupRows: 4096, overwrite: true });
  return table;
}

/**
 * Renames a table's files (server-side copy, manifest rewritten, old keys removed) so that
 * its keys hold characters that need care in S3 requests: spaces, '+', '%', '?', unicode.
 * The first file must be the largest (the multipart test copies it by UploadPartCopy).
 */
export async function giveSpecialKeys(store: ObjectStore, table: TableRef): Promise<void> {
  const manifest = (await readTableManifest(store, table.location))!;
  const { bucket, prefix } = table.location;
  // The last (smallest) file carries the '%': RGW 16's UploadPartCopy cannot read a source key with '%'.
  const names = ['data/ünïcødé part+1.parquet', 'data/what?=&x #2.parquet', 'data/a b/c+d=e %41.parquet'];
  const oldKeys: string[] = [];
  for (const [index, file] of manifest.files.entries()) {
    const key = names[index] ?? `data/plain-${index}.parquet`;
    const copied = await store.copy(bucket, prefix + file.key, bucket, prefix + key, { sourceEtag: file.etag, sourceSize: file.bytes });
    oldKeys.push(prefix + file.key);
    file.key = key;
    file.etag = copied.etag;
  }
  await writeTableManifest(store, table.location, manifest);
  await store.deleteKeys(bucket, oldKeys);
}
