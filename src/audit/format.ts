import { CHECKS } from './catalog';
import type { AuditReport } from './run';
import type { CheckResult, Severity } from './types';

export type AuditFormat = 'text' | 'json' | 'sarif';

/**
 * Removes every known secret from a rendered report, whatever the format. Checks never
 * put secrets in evidence; this is the second lock on the same door. JSON escaping of
 * '/' and '+' is covered by also replacing the JSON-escaped form.
 */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (form.length >= 6) out = out.split(form).join('<redacted>');
    }
  }
  return out;
}

export function renderReport(report: AuditReport, format: AuditFormat, secrets: string[]): string {
  const text = format === 'json' ? JSON.stringify(report, null, 2) : format === 'sarif' ? JSON.stringify(toSarif(report), null, 2) : toText(report);
  return redactSecrets(text, secrets).replace(/\n?$/, '\n');
}

const MARK: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function toText(report: AuditReport): string {
  const lines: string[] = [];
  const f = report.summary.findings;
  lines.push(`lakevault audit of ${report.endpoint}${report.embedded ? ' (embedded server)' : ''} — ${report.generatedAt}`);
  lines.push(`buckets: ${report.buckets.map((b) => `${b.bucket} [${b.roles.join(', ')}]${b.exists === false ? ' (does not exist)' : b.error ? ' (unreadable)' : ''}`).join('; ')}`);
  lines.push(`${report.summary.checks} checks: ${report.summary.passed} passed; findings: ${f.critical} critical, ${f.high} high, ${f.medium} medium, ${f.low} low; ${report.summary.notVerifiable} not verifiable, ${report.summary.notApplicable} not applicable`);
  lines.push('');
  if (report.findings.length) {
    lines.push('FINDINGS');
    for (const r of report.findings) lines.push(...findingLines(r));
  } else {
    lines.push('No findings.');
  }
  lines.push('', 'PASSED');
  for (const r of report.passed) lines.push(`  ok   ${r.id}  ${r.title} — ${r.resource}: ${r.evidence}`);
  if (report.other.length) {
    lines.push('', 'NOT JUDGED');
    for (const r of report.other) lines.push(`  ${(r.status === 'fail' ? 'info' : r.status).padEnd(14)} ${r.id}  ${r.title} — ${r.resource}: ${r.evidence}`);
  }
  if (report.themes.length) {
    lines.push('', 'RECOMMENDATION THEMES (from the findings above)');
    for (const t of report.themes) lines.push(`  ${t.theme}: ${t.advice}`, `    because of: ${t.findings.join(', ')}`);
  }
  lines.push('', report.exitCode ? `FAIL: findings at or above ${report.failOn}` : `OK: no finding at or above ${report.failOn}`);
  return lines.join('\n');
}

function findingLines(r: CheckResult): string[] {
  const status = r.status === 'fail' ? '' : ` (${r.status === 'unsupported' ? 'not supported by this server' : r.status})`;
  return [
    `  [${MARK[r.severity]}] ${r.id}  ${r.title}${status}`,
    `    resource: ${r.resource}`,
    `    observed: ${r.evidence}`,
    ...(r.recommendation ? [`    fix: ${r.recommendation.split('\n').join('\n         ')}`] : []),
    `    refs: ${r.references.join('; ')}`,
  ];
}

const SARIF_LEVEL: Record<Severity, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning reads security-severity as a CVSS-like score. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** SARIF 2.1.0: every check is a rule; findings are results, passed checks are kind "pass". */
function toSarif(report: AuditReport): object {
  const result = (r: CheckResult) => ({
    ruleId: r.id,
    kind: r.status === 'pass' ? 'pass' : 'fail',
    level: r.status === 'pass' ? 'none' : SARIF_LEVEL[r.severity],
    message: { text: `${r.title}: ${r.evidence}${r.recommendation ? `\nFix: ${r.recommendation}` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: r.resource } } }],
    properties: { severity: r.severity, status: r.status, theme: r.theme },
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'lakevault',
          version: report.version,
          rules: CHECKS.map((c) => ({
            id: c.id,
            name: c.title.replace(/[^A-Za-z0-9]+/g, ' ').trim().replace(/ (\w)/g, (_, ch: string) => ch.toUpperCase()),
            shortDescription: { text: c.title },
            fullDescription: { text: `Observes: ${c.observes}` },
            defaultConfiguration: { level: SARIF_LEVEL[c.severity] },
            properties: { tags: ['security', c.theme], 'security-severity': SECURITY_SEVERITY[c.severity], references: c.references },
          })),
        },
      },
      invocations: [{ executionSuccessful: true, exitCode: report.exitCode, properties: { endpoint: report.endpoint, failOn: report.failOn } }],
      results: [...report.findings, ...report.passed].map(result),
    }],
  };
}
