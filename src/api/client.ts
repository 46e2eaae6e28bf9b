import { EventEmitter } from 'node:events';
import { describeConfig, loadConfig, loadEnvironment, withManifestKey, type Config, type ConfigOverrides } from '../config/config';
import { openStore, type OpenStore } from '../store/open';
import { lazyModule } from '../util/lazy';
import type { BackupApi } from './backups';
import type { AuditOptions, AuditRunReport, ValidateOptions, ValidateReport } from './checks';
import { ApiContext } from './context';
import type { CopyOptions, CopyReport } from './copy';
import type { DiffOptions, DiffReport } from './diff';
import type { DoctorOptions, DoctorReport } from './doctor';
import type { ProgressEvent, ProgressListener } from './progress';
import type { CheckpointApi, DrillOptions, DrillRunReport, RecoverOptions, RecoverReport } from './recovery';
import type { RepositoryApi } from './repository';
import type { TableApi } from './tables';
import type { CycleOptions, CycleReport } from './verify';

// Capabilities load on first use (src/util/lazy.ts says why): `copy` never loads Arrow or zod.
const backups = lazyModule((): typeof import('./backups') => require('./backups'));
const checks = lazyModule((): typeof import('./checks') => require('./checks'));
const copying = lazyModule((): typeof import('./copy') => require('./copy'));
const diffing = lazyModule((): typeof import('./diff') => require('./diff'));
const doctoring = lazyModule((): typeof import('./doctor') => require('./doctor'));
const recovery = lazyModule((): typeof import('./recovery') => require('./recovery'));
const repositories = lazyModule((): typeof import('./repository') => require('./repository'));
const tables = lazyModule((): typeof import('./tables') => require('./tables'));
const verifying = lazyModule((): typeof import('./verify') => require('./verify'));

export interface LakevaultOptions extends ConfigOverrides {
  /**
   * Variables to read the configuration from (S3_ENDPOINT, AWS_ACCESS_KEY_ID, LAKEVAULT_*…).
   * Default: process.env over a .env file in the working directory.
   */
  env?: Record<string, string | undefined>;
  /** A configuration already resolved with loadConfig (the overrides and env are then not read, but for the manifest key it lacks). */
  config?: Config;
  /** Receives every progress event of this client (as does the 'progress' event). */
  onProgress?: ProgressListener;
  /**
   * Keep the report of every backup, checkpoint, drill, validation and audit in the backup
   * repository (`_lakevault/history/`), for plans, metrics and `report`. Default true.
   */
  history?: boolean;
}

/** Builds the configuration: overrides over env (or process.env + .env), checked before any request. */
export function resolveConfig(options: LakevaultOptions = {}): Config {
  if (options.config) return withManifestKey(options.config, options, options.env);
  const { env, config: _config, onProgress: _onProgress, history: _history, ...overrides } = options;
  if (env) return loadConfig(overrides, env);
  const { variables, fromFile } = loadEnvironment();
  return loadConfig(overrides, variables, { fromFile });
}

/**
 * A lakevault client: every capability of the CLI as a method that returns the report
 * `--json` prints and throws LakevaultErrors (with a stable `code`) on failure. It never
 * prints: progress arrives as 'progress' events and through onProgress callbacks.
 *
 *   const lv = await Lakevault.open({ warehouse: 's3://lake/warehouse' });
 *   try { await lv.backup.create('vendas'); } finally { await lv.close(); }
 */
export class Lakevault extends EventEmitter<{ progress: [ProgressEvent] }> {
  /** @internal */
  readonly context: ApiContext;
  private tableApi?: TableApi;
  private backupApi?: BackupApi;
  private checkpointApi?: CheckpointApi;
  private repositoryApi?: RepositoryApi;

  private constructor(config: Config, opened: OpenStore, onProgress?: ProgressListener, history = true) {
    super();
    this.context = new ApiContext(config, opened, (event) => {
      onProgress?.(event);
      this.emit('progress', event);
    }, history);
  }

  /** `table create|write|inspect|list|drop` */
  get table(): TableApi {
    return (this.tableApi ??= new (tables().TableApi)(this.context));
  }

  /** `backup create|list|show|delete|prune|restore` */
  get backup(): BackupApi {
    return (this.backupApi ??= new (backups().BackupApi)(this.context));
  }

  /** `checkpoint create|list` */
  get checkpoint(): CheckpointApi {
    return (this.checkpointApi ??= new (recovery().CheckpointApi)(this.context));
  }

  /** `repo upgrade`: the repositories themselves */
  get repo(): RepositoryApi {
    return (this.repositoryApi ??= new (repositories().RepositoryApi)(this.context));
  }

  /**
   * Resolves the configuration (a ConfigError, code CONFIG, before any request) and
   * connects to the store — or starts the embedded server when no endpoint is configured.
   */
  static async open(options: LakevaultOptions = {}): Promise<Lakevault> {
    // The SDK is pinned (package-lock); its notice about future releases needing Node 22 is
    // not for this package's users, and a library must not print.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const config = resolveConfig(options);
    const opened = await openStore(config);
    return new Lakevault(config, opened, options.onProgress, options.history !== false);
  }

  /** The endpoint in use (the embedded server's when none was configured). */
  get endpoint(): string {
    return this.context.open.endpoint;
  }

  /** True when this client started the embedded server. */
  get embedded(): boolean {
    return this.context.open.embedded;
  }

  /** The configuration as it may be shown: endpoint, locations, credentials source — no secrets. */
  describeConfig(): Record<string, unknown> {
    return describeConfig(this.context.config);
  }

  /** `copy <src> <dst>`: every object under one s3:// prefix to another, server-side. */
  copy(source: string, destination: string, options?: CopyOptions): Promise<CopyReport> {
    return copying().copy(this.context, source, destination, options);
  }

  /**
   * `diff <a> <b>`: which files differ between two of a table, a backup, a checkpoint or a
   * prefix, then which rows were added and removed (by per-row digests); `out` writes them.
   */
  diff(a: string, b: string, options?: DiffOptions): Promise<DiffReport> {
    return diffing().diff(this.context, a, b, options);
  }

  /** `recover <table>`: back to a checkpoint (latest by default); RTO and RPO measured. */
  recover(table: string, options?: RecoverOptions): Promise<RecoverReport> {
    return recovery().recover(this.context, table, options);
  }

  /** `drill <table>`: checkpoint → disaster → recover → validate. */
  drill(table: string, options?: DrillOptions): Promise<DrillRunReport> {
    return this.context.history.track('drill', options?.recordAs ?? table, () => recovery().drill(this.context, table, options), (r) => options?.recordAs ?? r.table);
  }

  /** `validate <a> [b]`: one subject against its manifest, or a against b. */
  validate(a: string, b?: string, options?: ValidateOptions): Promise<ValidateReport> {
    return this.context.history.track('validation', b === undefined ? a : `${a} vs ${b}`, () => checks().validate(this.context, a, b, options));
  }

  /**
   * `validate <subject> --cycle`: this run's slice of a verification cycle over a table, a
   * backup or a backup repository; every object is verified once per cycle.
   */
  verifyCycle(subject: string, options?: CycleOptions): Promise<CycleReport> {
    return this.context.history.track('validation', subject, () => verifying().verifyCycle(this.context, subject, options), (r) => r.subject);
  }

  /** `audit`: the store's security, as findings (report.exitCode says whether to fail a pipeline). */
  audit(options?: AuditOptions): Promise<AuditRunReport> {
    return this.context.history.track('audit', 'store', () => checks().audit(this.context, options));
  }

  /** `doctor`: endpoint, credentials, TLS, and which S3 features really work on this store. */
  doctor(options?: DoctorOptions): Promise<DoctorReport> {
    return doctoring().doctor(this.context, options);
  }

  /** Closes the connection and stops the embedded server if this client started one. */
  close(): Promise<void> {
    return this.context.close();
  }
}

/** The same as Lakevault.open(options). */
export function createLakevault(options: LakevaultOptions = {}): Promise<Lakevault> {
  return Lakevault.open(options);
}
