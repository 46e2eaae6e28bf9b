import { Command } from 'commander';
import { FEATURES, probeCapabilities, type ProbeResult } from '../../store/probe';
import { withStore } from '../context';
import { formatTable } from '../output';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('probe the store: endpoint, credentials, TLS, and which S3 features work (on scratch buckets it removes)')
    .option('--kms-key-id <id>', 'KMS key for the SSE-KMS test (e.g. testkey-1 on RGW\'s testing backend)')
    .action(async (flags: { kmsKeyId?: string }, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const result = await probeCapabilities(open.store, {
          region: config.region,
          ...(config.caBundle ? { ca: config.caBundle } : {}),
          ...(flags.kmsKeyId ? { kmsKeyId: flags.kmsKeyId } : {}),
          progress: (line) => output.progress(line),
        });
        const ok = result.reachable.ok && result.credentials.ok;
        output.result({ ok, embedded: open.embedded, ...result }, () => render(result, open.embedded));
        if (!ok) process.exitCode = 1;
      });
    });
}

function render(r: ProbeResult, embedded: boolean): string {
  const lines = [
    `endpoint     ${r.endpoint}${embedded ? ' (embedded server)' : ''}`,
    `reachable    ${r.reachable.ok ? 'yes' : 'NO'} — ${r.reachable.detail}${r.reachable.ms !== undefined ? ` (${r.reachable.ms} ms)` : ''}`,
    `credentials  ${r.credentials.ok ? 'valid' : 'NOT VALID'} — ${r.credentials.detail}`,
  ];
  if (r.tls && 'error' in r.tls) lines.push(`tls          handshake failed: ${r.tls.error}`);
  else if (r.tls) {
    const t = r.tls;
    lines.push(`tls          ${t.protocol} ${t.cipher.standardName ?? t.cipher.name}; chain ${t.chainTrusted ? 'trusted' : `NOT trusted (${t.chainError})`} by the ${t.trustedCas} CAs; host ${t.hostnameMatches ? 'matches' : 'DOES NOT match'}; expires ${t.certificate.validTo} (${t.certificate.daysToExpiry} days)`);
  } else lines.push('tls          none (plain HTTP)');
  lines.push('', formatTable(['feature', 'works', 'observed'], FEATURES.map((f) => {
    const x = r.features[f];
    return [f, x.supported === true ? 'yes' : x.supported === false ? 'no' : 'unknown', x.detail];
  })));
  lines.push('', `scratch buckets: ${r.cleanup.detail}`);
  return lines.join('\n');
}
