import { Command } from 'commander';
import type { DoctorReport, EndpointDiagnosis, MultipartUploads } from '../../api/doctor';
import { FEATURES, type ProbeResult } from '../../store/probe';
import { parseInteger } from '../context';
import { formatCount, formatTable, plural } from '../output';
import { withClient } from '../with-client';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('probe the store: endpoint, credentials, TLS, and which S3 features work (on scratch buckets it removes)')
    .option('--kms-key-id <id>', 'KMS key for the SSE-KMS test (e.g. testkey-1 on RGW\'s testing backend)')
    .option('--clean-multipart', 'abort stale incomplete multipart uploads under the warehouse, backups and checkpoints prefixes')
    .option('--multipart-age-hours <n>', 'an incomplete upload older than this is stale (younger ones may still be running)', '24')
    .action(async (flags: { kmsKeyId?: string; cleanMultipart?: boolean; multipartAgeHours: string }, command: Command) => {
      const ageHours = parseInteger('--multipart-age-hours', flags.multipartAgeHours, 0, 100_000);
      await withClient(command, async ({ lv, output }) => {
        const report = await lv.doctor({
          ...(flags.kmsKeyId ? { kmsKeyId: flags.kmsKeyId } : {}),
          cleanMultipart: flags.cleanMultipart === true,
          multipartAgeHours: ageHours,
        });
        output.result(report, () => [
          `${renderSettings(report.settings)}\n\n${render(report, report.embedded)}\n${renderMultipart(report.multipartUploads, ageHours)}`,
          ...report.endpoints.map((other) => renderOther(other, ageHours)),
        ].join('\n\n'));
        if (!report.ok) process.exitCode = 1;
      });
    });
}

/** Each setting, its value and where it came from: a .env file that redirects S3_ENDPOINT shows here. */
function renderSettings(settings: DoctorReport['settings']): string {
  return formatTable(['setting', 'value', 'from'], settings.map((s) => [s.setting, String(s.value), s.from ? `${s.source} (${s.from})` : s.source]));
}

function renderMultipart(m: MultipartUploads, ageHours: number): string {
  const lines = [`multipart    ${plural(m.stale.length, 'stale incomplete upload')} older than ${ageHours} h, ${formatCount(m.recent)} younger, under ${plural(m.scanned.length, 'lakevault prefix', 'lakevault prefixes')}` +
    (m.cleaned ? `; aborted ${m.cleaned.aborted.length}${m.cleaned.errors.length ? `, ${m.cleaned.errors.length} failed (${m.cleaned.errors[0]!.message})` : ''}` : m.stale.length ? ' (--clean-multipart aborts them)' : '')];
  for (const upload of m.stale.slice(0, 20)) lines.push(`  s3://${upload.bucket}/${upload.key} (upload ${upload.uploadId}, started ${upload.initiated ?? 'unknown'})`);
  for (const skipped of m.skipped) lines.push(`  not scanned: ${skipped.location}: ${skipped.reason}`);
  return lines.join('\n');
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

/** An endpoint where some locations live (LAKEVAULT_<LOCATION>_ENDPOINT, _PROFILE): the same probe, and theirs. */
function renderOther(other: EndpointDiagnosis, ageHours: number): string {
  const s = other.settings;
  const integrity = other.writeIntegrity.map((w) => `  ${w.location}: ${'skipped' in w ? `not probed (${w.skipped})` : `${w.contentMd5 === 'server' ? 'Content-MD5 verified by the server' : 'Content-MD5 not verified: the answered MD5 is compared'}${w.flexible ? `, ${w.flexible} verified` : ', no flexible checksum verified'}`}`);
  return [
    `=== ${other.locations.join(', ')} on another endpoint (${s.from}): region ${s.region}, ${s.pathStyle ? 'path-style' : 'virtual-hosted'}, CAs: ${s.caBundle}, credentials: ${s.credentials}`,
    render(other, false),
    renderMultipart(other.multipartUploads, ageHours),
    'write checks',
    ...integrity,
  ].join('\n');
}
