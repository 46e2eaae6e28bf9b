import { UsageError, type IntegrityError } from '../errors';
import type { ValidationLevel } from '../validate';

/**
 * An IntegrityError thrown by an operation that finished but whose result did not
 * validate (restore, recover, drill): `report` is the whole result, as the CLI prints it.
 */
export type ReportedIntegrityError<R> = IntegrityError & { report: R };

export function failedValidation<R>(error: IntegrityError, result: R): ReportedIntegrityError<R> {
  return Object.assign(error, { report: result });
}

export function checkLevel(level: string): ValidationLevel {
  if (level !== 'quick' && level !== 'full') throw new UsageError(`level must be quick or full, got "${level}"`);
  return level;
}
