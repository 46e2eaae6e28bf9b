import type { CheckResult, Theme } from './types';

/**
 * The seed printed 23 generic recommendations under five themes. Here a theme appears
 * only when an observed finding belongs to it, and it names those findings.
 */
export interface ThemeAdvice {
  theme: Theme;
  advice: string;
  findings: string[];
}

const ADVICE: Record<Theme, string> = {
  authentication: 'Replace default and static keys with per-application users and short-lived credentials; keep keys out of files that git tracks.',
  authorization: 'Grant nothing to everyone: remove public statements and ACL grants, narrow any outside access with Conditions, and turn on the public access block.',
  encryption: 'Encrypt in transit (HTTPS only, a trusted unexpired certificate, TLS 1.2+) and at rest (bucket default or per-object SSE-KMS), backups included.',
  monitoring: 'Record who does what: server access logs or MinIO audit webhooks, kept outside the audited bucket.',
  compliance: 'Protect the data you must keep: versioning, object lock on backups, weekly complete backups and 7-year retention. Personal data in these tables falls under LGPD (art. 46: security measures; art. 16: retention only as long as the purpose or a legal duty requires).',
};

export function themesOf(findings: CheckResult[]): ThemeAdvice[] {
  const byTheme = new Map<Theme, string[]>();
  for (const f of findings) byTheme.set(f.theme, [...(byTheme.get(f.theme) ?? []), `${f.id} ${f.resource}`]);
  return [...byTheme].map(([theme, ids]) => ({ theme, advice: ADVICE[theme], findings: [...new Set(ids)] }));
}
