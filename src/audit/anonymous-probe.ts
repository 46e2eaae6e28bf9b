import type { Config } from '../config/config';
import { anonymousStatus } from '../store/bucket-settings';
import type { ObjectStore } from '../store/types';
import type { AnonymousProbe } from './checks/policy';

/**
 * What anyone on the network gets from a bucket: an unsigned listing, and an unsigned GET
 * (first byte) and HEAD of one key the audit found there with its own credentials. The
 * policy evaluator says what should happen; this is what does.
 */
export async function probeAnonymously(store: ObjectStore, endpoint: string, config: Pick<Config, 'endpoint' | 'caBundle'>, bucket: string): Promise<AnonymousProbe> {
  if (config.endpoint === 'aws') return { skipped: 'not tried on AWS (virtual-hosted addressing); the bucket policy and ACL say what anonymous callers get' };
  const options = config.caBundle ? { ca: config.caBundle } : {};
  let key: string | undefined;
  try {
    for await (const object of store.list(bucket, '')) { key = object.key; break; }
  } catch {
    // No key to try: the listing alone is probed.
  }
  try {
    const list = await anonymousStatus(endpoint, bucket, undefined, options);
    if (key === undefined) return { list };
    const get = await anonymousStatus(endpoint, bucket, key, { ...options, method: 'GET' });
    const head = await anonymousStatus(endpoint, bucket, key, { ...options, method: 'HEAD' });
    return { list, get, head, key };
  } catch (error) {
    return { skipped: `an unsigned request could not be sent: ${(error as Error).message}` };
  }
}
