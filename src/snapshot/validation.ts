import { UnsupportedError } from '../errors';
import type { ObjectStore } from '../store/types';
import type { FileSet } from './file-set';

/**
 * The one validator (src/validate), as backup, restore, checkpoint and drill use it.
 * Contract: validateFileSet(store, set, {level}) and compareFileSets(store, a, b, {level})
 * resolve to a report with `ok`. Loaded lazily so this module does not depend on the
 * validator's internals.
 */
export type ValidationLevel = 'quick' | 'full';

export interface ValidationReport {
  ok: boolean;
  [detail: string]: unknown;
}

interface ValidatorModule {
  validateFileSet(store: ObjectStore, set: FileSet, options: { level: ValidationLevel }): Promise<ValidationReport>;
  compareFileSets(store: ObjectStore, a: FileSet, b: FileSet, options: { level: ValidationLevel }): Promise<ValidationReport>;
}

function validator(): ValidatorModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../validate') as ValidatorModule;
  } catch (error) {
    throw new UnsupportedError(`the validator (src/validate) is not available in this build: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Checks `actual` against `expected`: object sets, sizes, ETags, footers (quick) or content (full). */
export function compareSets(store: ObjectStore, expected: FileSet, actual: FileSet, level: ValidationLevel): Promise<ValidationReport> {
  return validator().compareFileSets(store, expected, actual, { level });
}

/** Checks one set against its own manifest and the digests stored at write time. */
export function validateSet(store: ObjectStore, set: FileSet, level: ValidationLevel): Promise<ValidationReport> {
  return validator().validateFileSet(store, set, { level });
}
