import { connect, checkServerIdentity, type PeerCertificate, type TLSSocket, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';

/**
 * What a TLS handshake with the endpoint shows: protocol, cipher, whether the chain is
 * trusted by the CAs the S3 client would trust (the configured bundle, else the system's),
 * whether the name matches, and when the certificate expires. No S3 request is sent.
 */
export interface TlsInspection {
  host: string;
  port: number;
  protocol: string | null;
  cipher: { name: string; standardName?: string; version: string };
  /** Chain verified against the trusted CAs (hostname is judged separately). */
  chainTrusted: boolean;
  /** OpenSSL's reason when it is not, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED. */
  chainError?: string;
  hostnameMatches: boolean;
  hostnameError?: string;
  trustedCas: 'configured bundle' | 'system';
  certificate: {
    subject: string;
    issuer: string;
    subjectAltNames: string[];
    validFrom: string;
    validTo: string;
    daysToExpiry: number;
    fingerprint256: string;
  };
  /** Whether the server also completes a handshake capped at TLS 1.1 (undefined = not tried). */
  acceptsLegacyProtocol?: boolean;
}

export interface TlsTarget {
  host: string;
  port: number;
  /** PEM of the CAs to trust; without it, Node's bundled (system) roots. */
  ca?: string;
  timeoutMs?: number;
}

const DAY_MS = 86_400_000;

function handshake(options: ConnectionOptions, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    const timer = setTimeout(() => socket.destroy(new Error(`TLS handshake with ${options.host}:${options.port} timed out`)), timeoutMs);
    socket.once('secureConnect', () => { clearTimeout(timer); resolve(socket); });
    socket.once('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return '';
  return Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');
}

/** Opens one TLS connection (verification off, so the details can be read), closes it. */
export async function inspectTls(target: TlsTarget, now = new Date()): Promise<TlsInspection> {
  const timeoutMs = target.timeoutMs ?? 10_000;
  const socket = await handshake({
    host: target.host,
    port: target.port,
    // SNI must not be an IP address.
    ...(isIP(target.host) ? {} : { servername: target.host }),
    ...(target.ca ? { ca: target.ca } : {}),
    rejectUnauthorized: false,
  }, timeoutMs);
  try {
    const cert = socket.getPeerCertificate(false) as PeerCertificate;
    const cipher = socket.getCipher();
    const identity = checkServerIdentity(target.host, cert);
    const validTo = new Date(cert.valid_to);
    const chainError = socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : undefined;
    const result: TlsInspection = {
      host: target.host,
      port: target.port,
      protocol: socket.getProtocol(),
      cipher: { name: cipher.name, ...(cipher.standardName ? { standardName: cipher.standardName } : {}), version: cipher.version },
      chainTrusted: socket.authorized,
      ...(chainError ? { chainError } : {}),
      hostnameMatches: identity === undefined,
      ...(identity ? { hostnameError: identity.message } : {}),
      trustedCas: target.ca ? 'configured bundle' : 'system',
      certificate: {
        subject: distinguishedName(cert.subject as unknown as Record<string, string>),
        issuer: distinguishedName(cert.issuer as unknown as Record<string, string>),
        subjectAltNames: (cert.subjectaltname ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        validFrom: new Date(cert.valid_from).toISOString(),
        validTo: validTo.toISOString(),
        daysToExpiry: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
        fingerprint256: cert.fingerprint256,
      },
    };
    result.acceptsLegacyProtocol = await acceptsLegacyProtocol(target, timeoutMs);
    return result;
  } finally {
    socket.destroy();
  }
}

/**
 * Tries a handshake capped at TLS 1.1 with OpenSSL's security level lowered so that the
 * client side does not refuse first. Success means the server still speaks TLS 1.0/1.1.
 */
async function acceptsLegacyProtocol(target: TlsTarget, timeoutMs: number): Promise<boolean> {
  try {
    const socket = await handshake({
      host: target.host,
      port: target.port,
      ...(isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    }, timeoutMs);
    socket.destroy();
    return true;
  } catch {
    return false;
  }
}

/** Host and port of an https:// endpoint ('aws' = the regional S3 endpoint). */
export function tlsTargetOf(endpoint: string, region: string): { host: string; port: number } | undefined {
  if (endpoint === 'aws') return { host: `s3.${region}.amazonaws.com`, port: 443 };
  const url = new URL(endpoint);
  if (url.protocol !== 'https:') return undefined;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 443 };
}
