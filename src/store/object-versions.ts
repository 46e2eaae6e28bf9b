import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { readVersioning, type Setting, type VersioningSettings } from './bucket-settings';
import { translateStoreError } from './errors';
import type { S3Store } from './s3-store';

/** One entry of a versioned bucket's history of a key: a stored version, or a delete marker. */
export interface ObjectVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  lastModified: Date;
  deleteMarker: boolean;
  /** Stored versions only. */
  size?: number;
  etag?: string;
}

/**
 * The bucket's versioning as the server reports it. The embedded server answers the
 * request with a plain listing, which reads as "unsupported" here, never as "off".
 */
export function bucketVersioning(store: S3Store, bucket: string): Promise<Setting<VersioningSettings>> {
  return readVersioning(store.client, bucket);
}

/** Every version and delete marker of the keys under `prefix`, page by page. */
export async function* listObjectVersions(store: S3Store, bucket: string, prefix: string): AsyncIterable<ObjectVersion> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await store.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    } catch (error) {
      throw translateStoreError(error, `list object versions under s3://${bucket}/${prefix}`, store.endpoint);
    }
    for (const version of page.Versions ?? []) {
      yield {
        key: version.Key!, versionId: version.VersionId ?? 'null', isLatest: version.IsLatest === true,
        lastModified: version.LastModified!, deleteMarker: false, size: version.Size ?? 0, etag: (version.ETag ?? '').replace(/^"|"$/g, ''),
      };
    }
    for (const marker of page.DeleteMarkers ?? []) {
      yield { key: marker.Key!, versionId: marker.VersionId ?? 'null', isLatest: marker.IsLatest === true, lastModified: marker.LastModified!, deleteMarker: true };
    }
    if (!page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

/** The bytes of one version of an object (a noncurrent one included). */
export async function getObjectVersion(store: S3Store, bucket: string, key: string, versionId: string): Promise<Uint8Array> {
  try {
    const out = await store.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return await out.Body!.transformToByteArray();
  } catch (error) {
    throw translateStoreError(error, `read s3://${bucket}/${key} version ${versionId}`, store.endpoint);
  }
}
