import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';

describe(`store basics on ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('smoke');
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('puts, heads and reads back exact bytes', async () => {
    const body = Buffer.from('hello lakevault');
    const put = await open.store.put(bucket, 'a/b.txt', body);
    const head = await open.store.head(bucket, 'a/b.txt');
    expect(head?.size).toBe(body.length);
    expect(head?.etag).toBe(put.etag);
    expect(Buffer.from(await open.store.getBytes(bucket, 'a/b.txt')).toString()).toBe('hello lakevault');
    expect(Buffer.from(await open.store.getRange(bucket, 'a/b.txt', 6, 15)).toString()).toBe('lakevault');
  });
});
