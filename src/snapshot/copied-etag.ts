import { IntegrityError } from '../errors';
import type { ObjectStore } from '../store/types';

/**
 * The ETag a copy really got. RGW answers CompleteMultipartUpload (the end of a multipart
 * copy) with an empty ETag; the object's HEAD has the real one ("…-N"). Recording an empty
 * ETag would unpin every later copy of the file and blind the quick validation.
 */
export async function copiedEtag(store: ObjectStore, bucket: string, key: string, reported: string, size: number): Promise<string> {
  if (reported) return reported;
  const head = await store.head(bucket, key);
  if (!head || head.size !== size || !head.etag) {
    throw new IntegrityError(`copy to s3://${bucket}/${key} left ${head ? `${head.size} bytes without an ETag` : 'no object'} (expected ${size} bytes)`);
  }
  return head.etag;
}
