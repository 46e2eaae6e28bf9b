import type { Config } from '../config/config';
import { S3Store } from '../store/s3-store';
import type { ObjectStore } from '../store/types';
import { runAudit } from './run';

/**
 * The audit as the last step of the seed flow (`npm start`): the same checks as
 * `lakevault audit`, summarised for the flow's JSON (findings with id, severity, resource
 * and title; counts; themes). It informs and never fails the flow.
 */
export async function auditStep(store: ObjectStore, config: Config) {
  if (!(store instanceof S3Store)) return { skipped: 'the audit needs a direct S3 store' };
  const { report } = await runAudit({ store, endpoint: store.endpoint, embedded: config.endpoint === undefined }, config);
  return {
    endpoint: report.endpoint,
    checks: report.summary.checks,
    passed: report.summary.passed,
    findings_by_severity: report.summary.findings,
    would_fail_at: report.failOn,
    findings: report.findings.map((f) => ({ id: f.id, severity: f.severity, status: f.status, resource: f.resource, title: f.title, evidence: f.evidence })),
    themes: report.themes.map((t) => t.theme),
  };
}
