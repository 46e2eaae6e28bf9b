import {
  AccessError, ConflictError, LakevaultError, NotFoundError, StoreError, UnreachableError, UnsupportedError,
} from '../errors';

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not signed by a trusted CA (set S3_CA_BUNDLE to the CA\'s PEM file)',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain (set S3_CA_BUNDLE to the CA\'s PEM file)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate (set S3_CA_BUNDLE to it)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer unknown (set S3_CA_BUNDLE to the CA\'s PEM file)',
  CERT_HAS_EXPIRED: 'the server\'s certificate has expired',
  CERT_NOT_YET_VALID: 'the server\'s certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not match the endpoint\'s host name',
};

/** The name S3 gave an error ('NoSuchBucket', 'AccessDenied', ...), or a network code. */
export function errorName(error: unknown): string {
  const e = error as SdkLikeError;
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  return (error as SdkLikeError)?.$metadata?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(error) === 404 && name !== 'NoSuchBucket');
}

/** True when the server does not implement the API (vs. the setting being absent). */
export function isNotImplemented(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotImplemented' || httpStatus(error) === 501 || name === 'XNotImplemented';
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as SdkLikeError).code;
    if (code && (NETWORK_CODES.has(code) || code in TLS_CODES)) return code;
    current = (current as SdkLikeError).cause;
  }
  const name = errorName(error);
  if (name === 'TimeoutError' || name === 'RequestTimeout') return 'ETIMEDOUT';
  return undefined;
}

/**
 * Turns an SDK or network error into one of lakevault's errors with a message a person
 * can act on. `what` names the operation and resource, e.g. 'list s3://lake/warehouse/'.
 */
export function translateStoreError(error: unknown, what: string, endpoint: string): LakevaultError {
  if (error instanceof LakevaultError) return error;
  const name = errorName(error);
  const code = networkCode(error);
  // One line: SDK messages sometimes append a second ('Deserialization error: to see the raw response…').
  const detail = ((error as SdkLikeError)?.message ?? String(error)).split('\n')[0]!.trim();
  if (code && code in TLS_CODES) {
    return new UnreachableError(`TLS failure talking to ${endpoint}: ${TLS_CODES[code]} (${code})`, { cause: error });
  }
  if (code) {
    const reason = code === 'ECONNREFUSED' ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found'
        : code === 'ETIMEDOUT' ? 'timed out' : code;
    return new UnreachableError(`cannot reach ${endpoint} (${reason}) during ${what}`, { cause: error });
  }
  switch (name) {
    case 'NoSuchBucket':
      return new NotFoundError(`${what}: bucket does not exist`, { cause: error });
    case 'NoSuchKey':
    case 'NotFound':
      return new NotFoundError(`${what}: object not found`, { cause: error });
    case 'InvalidAccessKeyId':
      return new AccessError(`${what}: the access key is not known to ${endpoint} (InvalidAccessKeyId)`, { cause: error });
    case 'SignatureDoesNotMatch':
      return new AccessError(`${what}: the secret key is wrong for this access key (SignatureDoesNotMatch)`, { cause: error });
    case 'PreconditionFailed': {
      // A pinned copy or read (If-Match) whose source changed, or a conditional write that found the key.
      const said = detail && detail !== name && detail !== 'UnknownError' ? detail : 'the object is not the version expected (its ETag changed since it was recorded, or the key already exists)';
      return new ConflictError(`${what}: ${said} (PreconditionFailed)`, { cause: error });
    }
    case 'AccessDenied':
    case 'Forbidden':
      return new AccessError(`${what}: access denied`, { cause: error });
    default:
      break;
  }
  if (httpStatus(error) === 403) return new AccessError(`${what}: access denied (${name})`, { cause: error });
  if (isNotImplemented(error)) return new UnsupportedError(`${what}: not supported by ${endpoint} (${name})`, { cause: error });
  // An error answer without a body (HEAD, or a proxy's) leaves the SDK only "Unknown: UnknownError".
  if (name === 'Unknown' && httpStatus(error)) return new StoreError(`${what} failed: HTTP ${httpStatus(error)} with no error details from ${endpoint}`, { cause: error });
  return new StoreError(`${what} failed: ${name}${detail && detail !== name ? `: ${detail}` : ''}`, { cause: error });
}
