import {
  BATCH_COPY_MAX_BYTES, batchCopyPlan, decodeManifestKey, encodeManifestKey, parseCompletionReport, parseCsv, verifyBatchCopy,
} from '../../src/backup/batch-plan';
import type { FileSet, SnapshotFile } from '../../src/model/file-set';
import type { ObjectInfo } from '../../src/store/types';

const file = (key: string, size: number, etag: string, bucket = 'lake-backups'): SnapshotFile => ({ relativeKey: key.split('/').slice(2).join('/'), bucket, key, size, etag, kind: 'data' });
const backup = (files: SnapshotFile[]): FileSet => ({ kind: 'backup', label: 'backup b1', uri: 's3://lake-backups/vendas/b1/', hasManifest: true, files });

const MD5_A = '0cc175b9c0f1b6a831c399e269772661';
const MD5_B = '92eb5ffee6ae2fec3ad71c777531578f';
const KEYS = {
  plain: 'vendas/b1/data/part-00000.parquet',
  reused: 'vendas/b0/data/part-00001.parquet',
  odd: 'vendas/b1/data/dt=2026-12-07 10,30/ação+"quoted"%.parquet',
  multipart: 'vendas/b1/data/part-00002.parquet',
};

describe('the S3 Batch Operations CSV manifest of a snapshot', () => {
  it('lists every object where its bytes are (reused files in earlier backups), keys URL-encoded so no comma or quote splits a row', () => {
    const plan = batchCopyPlan(backup([file(KEYS.plain, 10, MD5_A), file(KEYS.reused, 20, MD5_B), file(KEYS.odd, 30, MD5_A)]));
    expect(plan.csv).toBe([
      'lake-backups,vendas/b1/data/part-00000.parquet',
      'lake-backups,vendas/b0/data/part-00001.parquet',
      'lake-backups,vendas/b1/data/dt%3D2026-12-07%2010%2C30/a%C3%A7%C3%A3o%2B%22quoted%22%25.parquet',
      '',
    ].join('\n'));
    expect(plan).toMatchObject({ objects: 3, bytes: 60, buckets: ['lake-backups'], tooLarge: [] });
    for (const row of parseCsv(plan.csv)) expect(row).toHaveLength(2);
    expect(parseCsv(plan.csv).map((row) => decodeManifestKey(row[1]!))).toEqual([KEYS.plain, KEYS.reused, KEYS.odd]);
  });

  it('leaves objects over 5 GiB out (a batch copy cannot copy them) and says so; names every source bucket', () => {
    const plan = batchCopyPlan(backup([file(KEYS.plain, BATCH_COPY_MAX_BYTES, MD5_A), file(KEYS.multipart, BATCH_COPY_MAX_BYTES + 1, 'abc-2'), file('t/x', 1, MD5_A, 'other')]));
    expect(plan.objects).toBe(2);
    expect(plan.tooLarge).toEqual([{ bucket: 'lake-backups', key: KEYS.multipart, size: BATCH_COPY_MAX_BYTES + 1 }]);
    expect(plan.buckets).toEqual(['lake-backups', 'other']);
  });

  it('keys survive encoding both ways; a + in a report is a space, %2B a plus', () => {
    for (const key of Object.values(KEYS)) expect(decodeManifestKey(encodeManifestKey(key))).toBe(key);
    expect(decodeManifestKey('a+b%2Bc')).toBe('a b+c');
  });
});

describe('completion reports', () => {
  it('parses quoted fields with commas, doubled quotes and line breaks (RFC 4180)', () => {
    const text = 'b,k%201,,succeeded,200,,"{""ETag"": ""x"",\nmore}"\r\nb,k2,,failed,400,InvalidRequest,"too big"\n\n';
    expect(parseCsv(text)).toEqual([
      ['b', 'k%201', '', 'succeeded', '200', '', '{"ETag": "x",\nmore}'],
      ['b', 'k2', '', 'failed', '400', 'InvalidRequest', 'too big'],
    ]);
    expect(parseCompletionReport(text, 'r.csv').map((t) => [t.key, t.status])).toEqual([['k 1', 'succeeded'], ['k2', 'failed']]);
  });

  it('refuses what is not a report: an unclosed quote, too few fields, a key that is no URL-encoded text', () => {
    expect(() => parseCompletionReport('b,"k', 'r.csv')).toThrow(/r\.csv: not a CSV completion report/);
    expect(() => parseCompletionReport('b,k\n', 'r.csv')).toThrow(/row 1: 2 fields/);
    expect(() => parseCompletionReport('b,%E0%A4%A,,succeeded\n', 'r.csv')).toThrow(/not URL-encoded text/);
  });
});

describe('verifying a batch copy against the snapshot manifest', () => {
  const files = [file(KEYS.plain, 10, MD5_A), file(KEYS.reused, 20, MD5_B), file(KEYS.multipart, 30, 'abcdef0123456789abcdef0123456789-3')];
  const destination = { bucket: 'dr-backups', prefix: 'site-a/' };
  const listed = (entries: [string, number, string][]) => new Map<string, ObjectInfo>(entries.map(([key, size, etag]) => [`site-a/${key}`, { key: `site-a/${key}`, size, etag }]));
  const complete = listed([[KEYS.plain, 10, MD5_A], [KEYS.reused, 20, MD5_B], [KEYS.multipart, 30, 'fedcba9876543210fedcba9876543210']]);
  const task = (key: string, status = 'succeeded') => ({ bucket: 'lake-backups', key, versionId: '', status, errorCode: status === 'succeeded' ? '200' : '400', httpStatus: '', message: '' });

  it('a complete copy: size and ETag where the ETag is an MD5, size only for a multipart source', () => {
    const result = verifyBatchCopy(backup(files), destination, complete, Object.values(KEYS).filter((k) => k !== KEYS.odd).map((k) => task(k)));
    expect(result).toMatchObject({ ok: true, files: 3, verified: 2, sizeOnly: 1, problems: [], report: { tasks: 3, succeeded: 3, failed: 0, unplanned: 0 } });
    expect(result.sizeOnlyFiles).toEqual([`s3://dr-backups/site-a/${KEYS.multipart}`]);
    expect(result.destination).toBe('s3://dr-backups/site-a/');
  });

  it('names every file that did not arrive as planned, and why', () => {
    const damaged = listed([[KEYS.plain, 10, MD5_B], [KEYS.multipart, 31, 'x']]);
    const result = verifyBatchCopy(backup(files), destination, damaged);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.relativeKey, p.check])).toEqual([
      ['data/part-00000.parquet', 'wrong-etag'],
      ['data/part-00001.parquet', 'missing'],
      ['data/part-00002.parquet', 'wrong-size'],
    ]);
  });

  it('with completion reports: a failed task fails its file even if an old copy is there; a file no report names was not planned', () => {
    const result = verifyBatchCopy(backup(files), destination, complete, [task(KEYS.plain, 'failed'), task(KEYS.reused), task('vendas/zz/other')]);
    expect(result.problems.map((p) => [p.relativeKey, p.check])).toEqual([['data/part-00000.parquet', 'failed'], ['data/part-00002.parquet', 'not-in-report']]);
    expect(result.report).toEqual({ tasks: 3, succeeded: 2, failed: 1, unplanned: 1 });
  });
});
