/**
 * The error hierarchy every module throws. Each error has a stable `code` (for the
 * library's users and JSON output) and an exit code (for the CLI):
 * 2 = usage or configuration, 1 = everything else.
 */
export type ErrorCode =
  | 'CONFIG'
  | 'USAGE'
  | 'ACCESS'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INTEGRITY'
  | 'UNREACHABLE'
  | 'UNSUPPORTED'
  | 'STORE';

export class LakevaultError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? (code === 'CONFIG' || code === 'USAGE' ? 2 : 1);
  }
}

export class ConfigError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('CONFIG', message, options); }
}
export class UsageError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('USAGE', message, options); }
}
export class AccessError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('ACCESS', message, options); }
}
export class NotFoundError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('NOT_FOUND', message, options); }
}
export class ConflictError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('CONFLICT', message, options); }
}
export class IntegrityError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('INTEGRITY', message, options); }
}
export class UnreachableError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('UNREACHABLE', message, options); }
}
export class UnsupportedError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('UNSUPPORTED', message, options); }
}
export class StoreError extends LakevaultError {
  constructor(message: string, options?: { cause?: unknown }) { super('STORE', message, options); }
}
