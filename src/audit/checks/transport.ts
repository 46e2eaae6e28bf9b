import { inspectTls, tlsTargetOf, type TlsInspection } from '../../store/tls';
import { outcome, pass } from '../catalog';
import { isLoopbackEndpoint, type AuditContext } from '../context';
import type { CheckResult } from '../types';

const CERT_CHECKS = ['LV-TLS-002', 'LV-TLS-003', 'LV-TLS-004', 'LV-TLS-005', 'LV-TLS-006'] as const;
/** Cipher names that are weak in themselves or lack forward secrecy (TLS 1.2 static RSA). */
const WEAK_CIPHER = /(RC4|3DES|DES-CBC|NULL|EXPORT|MD5|anon)/i;

/** TLS: the endpoint's scheme, its certificate and handshake, and this process's verification. */
export async function checkTransport(context: AuditContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [verificationSwitch(context)];
  const endpoint = context.config.endpoint ?? context.endpoint;
  const target = tlsTargetOf(endpoint, context.config.region);
  if (!target) {
    const loopback = isLoopbackEndpoint(context.endpoint);
    results.push(outcome('LV-TLS-001', 'fail', {
      resource: context.endpoint,
      severity: loopback ? 'low' : 'high',
      evidence: `plain HTTP endpoint ${context.endpoint}${context.embedded ? ' (the embedded server, loopback only)' : ''}: keys' signatures, object data and bucket policies travel unencrypted${loopback ? '; loopback only, so exposure is limited to this machine' : ''}`,
      recommendation: 'Serve the S3 API over TLS and point S3_ENDPOINT at https://. MinIO: put public.crt/private.key in ~/.minio/certs (or `minio server --certs-dir DIR`); Ceph RGW: rgw_frontends "beast ssl_endpoint=0.0.0.0:443 ssl_certificate=/etc/ceph/rgw.pem". Then trust its CA with S3_CA_BUNDLE=/path/ca.pem.',
    }));
    for (const id of CERT_CHECKS) results.push(outcome(id, 'not-applicable', { resource: context.endpoint, evidence: 'plain HTTP: no certificate or handshake to inspect' }));
    return results;
  }
  results.push(pass('LV-TLS-001', context.endpoint, 'HTTPS endpoint'));
  let tls: TlsInspection;
  try {
    tls = await inspectTls({ ...target, ...(context.config.caBundle ? { ca: context.config.caBundle } : {}) }, context.now);
  } catch (error) {
    const evidence = `TLS handshake with ${target.host}:${target.port} failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    for (const id of CERT_CHECKS) results.push(outcome(id, 'error', { resource: context.endpoint, evidence, severity: 'info' }));
    return results;
  }
  return [...results, ...judgeTls(tls, context.endpoint)];
}

function verificationSwitch(context: AuditContext): CheckResult {
  if (context.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    return outcome('LV-TLS-007', 'fail', {
      resource: 'this process',
      evidence: 'NODE_TLS_REJECT_UNAUTHORIZED=0 is set: every TLS certificate would be accepted, including an attacker\'s',
      recommendation: 'Unset NODE_TLS_REJECT_UNAUTHORIZED and trust the server\'s CA instead: S3_CA_BUNDLE=/path/ca.pem (or --ca-bundle).',
    });
  }
  return pass('LV-TLS-007', 'this process', 'NODE_TLS_REJECT_UNAUTHORIZED is not 0; lakevault has no switch that turns verification off');
}

/** Judges one TLS inspection (pure: unit-tested with made-up inspections). */
export function judgeTls(tls: TlsInspection, resource: string): CheckResult[] {
  const results: CheckResult[] = [];
  const cert = tls.certificate;
  const who = `certificate "${cert.subject}" issued by "${cert.issuer}"`;
  const caHint = 'Set S3_CA_BUNDLE (or --ca-bundle) to the PEM of the CA that signed the server certificate; on the server, serve the full chain (leaf + intermediates).';
  results.push(tls.chainTrusted
    ? pass('LV-TLS-002', resource, `${who} verified against the ${tls.trustedCas} CAs`)
    : outcome('LV-TLS-002', 'fail', { resource, evidence: `${who} not trusted by the ${tls.trustedCas} CAs: ${tls.chainError ?? 'unverified'}`, recommendation: caHint }));
  results.push(tls.hostnameMatches
    ? pass('LV-TLS-003', resource, `${tls.host} matches ${cert.subjectAltNames.join(', ') || cert.subject}`)
    : outcome('LV-TLS-003', 'fail', { resource, evidence: `${tls.host} does not match the certificate (${cert.subjectAltNames.join(', ') || cert.subject}): ${tls.hostnameError ?? ''}`.trim(),
      recommendation: `Reissue the certificate with subjectAltName covering ${tls.host} (e.g. openssl req ... -addext "subjectAltName=DNS:${tls.host}"), or use the host name the certificate names in S3_ENDPOINT.` }));
  const renew = 'Renew the certificate (e.g. certbot renew, or your CA\'s process), install it on the server (MinIO: ~/.minio/certs/public.crt; RGW: ssl_certificate) and restart it; automate renewal.';
  if (cert.daysToExpiry < 0) {
    results.push(outcome('LV-TLS-004', 'fail', { resource, severity: 'critical', evidence: `${who} expired on ${cert.validTo} (${-cert.daysToExpiry} days ago)`, recommendation: renew }));
  } else if (cert.daysToExpiry < 30) {
    results.push(outcome('LV-TLS-004', 'fail', { resource, evidence: `${who} expires on ${cert.validTo}, in ${cert.daysToExpiry} days (under 30)`, recommendation: renew }));
  } else {
    results.push(pass('LV-TLS-004', resource, `valid until ${cert.validTo} (${cert.daysToExpiry} days)`));
  }
  const modern = tls.protocol === 'TLSv1.2' || tls.protocol === 'TLSv1.3';
  const minimum = 'Allow only TLS 1.2 and 1.3 on the server (MinIO does by default; RGW beast: ssl_options=no_sslv2:no_sslv3:no_tlsv1:no_tlsv1_1) and add a bucket-policy Deny on NumericLessThan s3:TlsVersion 1.2.';
  if (!modern) {
    results.push(outcome('LV-TLS-005', 'fail', { resource, evidence: `negotiated ${tls.protocol ?? 'unknown protocol'}`, recommendation: minimum }));
  } else if (tls.acceptsLegacyProtocol) {
    results.push(outcome('LV-TLS-005', 'fail', { resource, severity: 'medium', evidence: `negotiated ${tls.protocol}, but a handshake capped at TLS 1.1 also succeeded`, recommendation: minimum }));
  } else {
    results.push(pass('LV-TLS-005', resource, `negotiated ${tls.protocol}${tls.acceptsLegacyProtocol === false ? '; a TLS 1.0/1.1 handshake was refused' : ''}`));
  }
  const cipher = tls.cipher.standardName ?? tls.cipher.name;
  const tls13 = tls.protocol === 'TLSv1.3';
  const forwardSecret = tls13 || /^(ECDHE|DHE)/.test(tls.cipher.name) || /_(ECDHE|DHE)_/.test(cipher);
  const aead = tls13 || /(GCM|CHACHA20|CCM)/i.test(cipher);
  if (WEAK_CIPHER.test(cipher) || !forwardSecret || !aead) {
    const why = WEAK_CIPHER.test(cipher) ? 'a broken algorithm' : !forwardSecret ? 'no forward secrecy' : 'no AEAD (CBC mode)';
    results.push(outcome('LV-TLS-006', 'fail', { resource, evidence: `negotiated ${cipher} (${tls.protocol}): ${why}`,
      recommendation: 'Restrict the server to ECDHE with AES-GCM or CHACHA20-POLY1305 (TLS 1.2) and the TLS 1.3 suites. MinIO: MINIO_API_SECURE_CIPHERS=on (default); RGW beast: ssl_ciphers=ECDHE+AESGCM:ECDHE+CHACHA20.' }));
  } else {
    results.push(pass('LV-TLS-006', resource, `negotiated ${cipher} (${tls.protocol})`));
  }
  return results;
}
