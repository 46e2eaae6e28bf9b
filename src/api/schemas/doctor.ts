import { z } from 'zod';
import { count, schemaVersion } from './common';

const feature = z.object({ supported: z.boolean().optional().describe('absent = could not be decided'), detail: z.string() });

const tls = z.union([
  z.object({
    host: z.string(),
    port: count,
    protocol: z.string().nullable(),
    cipher: z.object({ name: z.string(), standardName: z.string().optional(), version: z.string() }),
    chainTrusted: z.boolean(),
    chainError: z.string().optional(),
    hostnameMatches: z.boolean(),
    hostnameError: z.string().optional(),
    trustedCas: z.enum(['configured bundle', 'system']),
    certificate: z.object({
      subject: z.string(),
      issuer: z.string(),
      subjectAltNames: z.array(z.string()),
      validFrom: z.string(),
      validTo: z.string(),
      daysToExpiry: z.number().int(),
      fingerprint256: z.string(),
    }),
    acceptsLegacyProtocol: z.boolean().optional(),
  }),
  z.object({ error: z.string() }),
]);

const upload = z.object({ bucket: z.string(), key: z.string(), uploadId: z.string(), initiated: z.string().optional().describe('ISO-8601 UTC time') });

const setting = z.object({
  setting: z.enum(['endpoint', 'region', 'forcePathStyle', 'caBundle', 'credentials', 'warehouse', 'backups', 'checkpoints', 'concurrency', 'multipartThreshold', 'multipartPartSize', 'maxAttempts', 'requestTimeoutMs', 'home']),
  value: z.union([z.string(), z.number(), z.boolean()]).describe('as it may be shown: no secret, an endpoint without user info or query'),
  source: z.enum(['flag', 'environment', '.env file', 'default']).describe('where the value came from, strongest first (a library option counts as a flag)'),
  from: z.string().optional().describe('the flag or variable that set it'),
});

const multipartUploads = z.object({
  scanned: z.array(z.string()).describe('the lakevault prefixes looked at'),
  skipped: z.array(z.object({ location: z.string(), reason: z.string() })),
  stale: z.array(upload).describe('incomplete uploads older than the age limit'),
  recent: count.describe('younger incomplete uploads, possibly still running: left alone'),
  cleaned: z.object({ aborted: z.array(upload), errors: z.array(z.object({ upload, message: z.string() })) }).optional(),
});

const probe = {
  endpoint: z.string(),
  reachable: z.object({ ok: z.boolean(), detail: z.string(), ms: count.optional() }),
  credentials: z.object({ ok: z.boolean(), detail: z.string() }),
  tls: tls.optional().describe('absent on plain HTTP'),
  features: z.object({
    'upload-part-copy': feature,
    versioning: feature,
    'object-lock': feature,
    'bucket-encryption': feature,
    'sse-s3': feature,
    'sse-kms': feature,
    'sse-c': feature,
    'bucket-policy': feature,
    'public-access-block': feature,
  }),
  scratchBuckets: z.array(z.string()),
  cleanup: z.object({ ok: z.boolean(), detail: z.string() }),
};

const writeIntegrity = z.object({
  location: z.string(),
  contentMd5: z.enum(['server', 'etag']).optional().describe('server: it refuses a wrong Content-MD5; etag: it does not, and answers the MD5 as ETag'),
  flexible: z.enum(['CRC32C', 'CRC64NVME']).optional().describe('a flexible checksum it verifies'),
  skipped: z.string().optional().describe('why it was not probed'),
});

const otherEndpoint = z.object({
  ok: z.boolean().describe('reachable and credentials valid'),
  locations: z.array(z.enum(['warehouse', 'backups', 'checkpoints'])),
  settings: z.object({ identity: z.string(), region: z.string(), pathStyle: z.boolean(), caBundle: z.string(), credentials: z.string().describe('no secret: a profile, or a key id\'s first characters'), from: z.string() }),
  ...probe,
  multipartUploads,
  writeIntegrity: z.array(writeIntegrity),
});

export const doctor = z.object({
  schemaVersion,
  ok: z.boolean().describe('every endpoint reachable and its credentials valid'),
  embedded: z.boolean(),
  settings: z.array(setting).describe('every setting of this run and its source'),
  ...probe,
  multipartUploads,
  endpoints: z.array(otherEndpoint).optional().describe('endpoints other than the primary where locations live (LAKEVAULT_<LOCATION>_ENDPOINT, _PROFILE)'),
}).describe('lakevault doctor --json');
