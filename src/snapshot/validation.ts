import type { ObjectStore } from '../store/types';
import { compareFileSets, validateFileSet, type ValidationLevel, type ValidationReport } from '../validate';
import type { FileSet } from './file-set';

/**
 * The one validator (src/validate), as backup, restore, checkpoint and drill use it:
 * no second implementation of any check lives here.
 */
export type { ValidationLevel, ValidationReport };

/** Checks `actual` against `expected` (each against its own manifest, then a vs b). */
export function compareSets(store: ObjectStore, expected: FileSet, actual: FileSet, level: ValidationLevel): Promise<ValidationReport> {
  return compareFileSets(store, expected, actual, { level });
}

/** Checks one set against its own manifest and the digests stored at write time. */
export function validateSet(store: ObjectStore, set: FileSet, level: ValidationLevel): Promise<ValidationReport> {
  return validateFileSet(store, set, { level });
}
