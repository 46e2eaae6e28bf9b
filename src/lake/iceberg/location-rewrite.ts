import { IntegrityError } from '../../errors';
import { joinLocation, type TablePaths } from './paths';

/**
 * Maps every path of a table from its location to a new one, the way Iceberg's
 * `rewrite_table_path` does: the part of a path under the table location is kept, the
 * location in front of it replaced. Relative and `file://data/...` paths become absolute
 * under the new location (the rewritten table no longer depends on a working directory).
 */
export class LocationRewrite {
  constructor(
    readonly paths: TablePaths,
    readonly targetLocation: string,
    private readonly options: { allowOutside?: boolean } = {},
  ) {
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.test(targetLocation)) {
      throw new IntegrityError(`target location ${targetLocation} is not a URI with a scheme and a bucket (s3://bucket/prefix)`);
    }
    if (targetLocation.split('/').slice(3).some((segment) => segment === '.' || segment === '..')) {
      throw new IntegrityError(`target location ${targetLocation} has a "." or ".." segment`);
    }
  }

  get sourceLocation(): string {
    return this.paths.location;
  }

  /** The path at the new location; a path outside the table is refused, or kept as it is when allowed. */
  path(path: string, what: string): string {
    const resolved = this.paths.resolve(path);
    if (resolved.inside === true) return joinLocation(this.targetLocation, resolved.relativeKey);
    if (this.options.allowOutside) return path;
    throw new IntegrityError(`Iceberg ${what} ${path} is outside the table (${resolved.reason}): not rewritten`);
  }

  /** The table location itself. */
  location(): string {
    return this.targetLocation.replace(/\/+$/, '');
  }
}
