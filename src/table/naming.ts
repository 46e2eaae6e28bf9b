import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors';

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Table names become key segments: letters, digits, '_', '-', '.', no path tricks.
 * (A table elsewhere is addressed by its s3:// URI instead.)
 */
export function checkTableName(name: string): string {
  if (!TABLE_NAME.test(name) || name.includes('..')) {
    throw new UsageError(`invalid table name "${name}": use letters, digits, "_", "-" and "." (up to 128, no "/" or "..")`);
  }
  return name;
}

/**
 * A sortable, unique id: UTC timestamp to the millisecond plus a short random suffix,
 * e.g. 20261129T031500.123Z-a1b2c3 (two backups in one second still list in creation order).
 */
export function newId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const suffix = randomBytes(3).toString('hex');
  return `${stamp}-${suffix}`;
}
