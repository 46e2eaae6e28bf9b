import type { Config } from '../config/config';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketSettings } from '../store/bucket-settings';
import type { ServerKind } from '../store/server-kind';
import type { ObjectStore } from '../store/types';

export type BucketRole = 'warehouse' | 'backups' | 'checkpoints' | 'named';

export interface AuditedBucket {
  bucket: string;
  roles: BucketRole[];
  /** False when the bucket does not exist; undefined when it could not be checked. */
  exists?: boolean;
  /** Why the bucket could not be read (unreachable, access denied). */
  error?: string;
  settings?: BucketSettings;
}

/** The credentials the audit judges; the secret is kept only to compare and redact, never shown. */
export interface ResolvedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  source: 'configuration' | 'credential chain' | 'embedded server';
}

/** Everything checks may look at. Checks read; only the runner gathers. */
export interface AuditContext {
  /** The configuration, with the manifest key when one is configured (it authenticates backups). */
  config: Config;
  endpoint: string;
  embedded: boolean;
  /** Which server answers (from its headers); some findings depend on it. */
  serverKind: ServerKind;
  client: S3Client;
  store: ObjectStore;
  buckets: AuditedBucket[];
  credentials?: ResolvedCredentials;
  /** Working directory scanned for tracked files with keys. */
  cwd: string;
  env: Record<string, string | undefined>;
  now: Date;
  /** Objects sampled per table and per backup. */
  sampleSize: number;
  /** SSE-C key to present when sampling (from --sse-c-key-file); never printed. */
  customerKey?: Buffer;
  progress: (line: string) => void;
}

export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

export function bucketsWithRole(context: AuditContext, role: BucketRole): AuditedBucket[] {
  return context.buckets.filter((b) => b.roles.includes(role));
}
