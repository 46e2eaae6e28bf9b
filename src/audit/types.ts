/** The vocabulary of audit results, shared by checks, the runner and the output formats. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * fail            the observation shows a weakness (a finding)
 * unsupported     the server does not implement the feature (a finding when the protection is missing because of it)
 * not-verifiable  the server does not say (reported, never counted as a pass)
 * not-applicable  the check does not apply (e.g. certificate checks on plain HTTP)
 * error           the check could not be run (access denied, unreachable)
 * pass            observed and fine
 */
export type Status = 'pass' | 'fail' | 'unsupported' | 'not-verifiable' | 'not-applicable' | 'error';

/** The seed's recommendation themes: a theme appears in a report only through a finding. */
export type Theme = 'authentication' | 'authorization' | 'encryption' | 'monitoring' | 'compliance';

export interface CheckDefinition {
  id: string;
  title: string;
  theme: Theme;
  /** Severity when the check fails, before context adjusts it (e.g. loopback endpoints). */
  severity: Severity;
  /** What is observed, for docs/AUDIT.md and `audit --list-checks`. */
  observes: string;
  references: string[];
}

export interface CheckResult {
  id: string;
  title: string;
  theme: Theme;
  status: Status;
  /** info for passes and anything that is not a finding. */
  severity: Severity;
  /** What was looked at: an endpoint, s3://bucket, s3://bucket/prefix/ or a file. */
  resource: string;
  /** What was observed; never a secret. */
  evidence: string;
  /** The concrete fix (commands, policy JSON, settings); only on findings. */
  recommendation?: string;
  references: string[];
  /** The observation as data, for programs (e.g. LV-POL-002: every action each audience can call). */
  details?: Record<string, unknown>;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity); // critical 5 … info 1
}

/** A result counts as a finding when it shows a weakness at a severity above info. */
export function isFinding(result: CheckResult): boolean {
  return (result.status === 'fail' || result.status === 'unsupported' || result.status === 'error') && result.severity !== 'info';
}

export function parseSeverity(raw: string): Severity | undefined {
  return (SEVERITIES as readonly string[]).includes(raw) ? raw as Severity : undefined;
}
