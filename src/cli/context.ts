import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../config/config';
import { openStore, type OpenStore } from '../store/open';
import { UsageError } from '../errors';
import { createOutput, type Output } from './output';
import type { MetricsFlags } from './metrics-flags';

/** The global flags that set a ConfigOverrides field of the same name and type, as given. */
const OVERRIDE_FLAGS = ['endpoint', 'region', 'caBundle', 'pathStyle', 'warehouse', 'backups', 'checkpoints'] as const;

/**
 * Options every command accepts (declared once on the program, src/cli/main.ts). Derived
 * from ConfigOverrides so a flag cannot drift from the field it sets; only --concurrency
 * differs (commander hands over the raw string, parsed strictly in configFrom) and --json
 * is no configuration at all.
 */
export interface GlobalOptions extends Pick<ConfigOverrides, (typeof OVERRIDE_FLAGS)[number]>, MetricsFlags {
  concurrency?: string;
  json?: boolean;
}

export interface CommandContext {
  config: Config;
  output: Output;
  open: OpenStore;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function configFrom(options: GlobalOptions): Config {
  const overrides: ConfigOverrides = {};
  // An empty string is no value (as an empty variable is); false is a value (--no-path-style).
  for (const flag of OVERRIDE_FLAGS) {
    const value = options[flag];
    if (value !== undefined && value !== '') Object.assign(overrides, { [flag]: value });
  }
  if (options.concurrency !== undefined) overrides.concurrency = parseInteger('--concurrency', options.concurrency, 1, 1024);
  return loadConfig(overrides);
}

/**
 * Runs a command body with configuration checked (before any request) and a store open
 * (the embedded server started when no endpoint is configured); always closes it.
 */
export async function withStore<T>(command: Command, body: (context: CommandContext) => Promise<T>): Promise<T> {
  const options = globalOptions(command);
  const config = configFrom(options);
  const output = createOutput(options.json === true);
  const open = await openStore(config);
  try {
    return await body({ config, output, open });
  } finally {
    output.done();
    await open.close();
  }
}

/** Strict integer parsing for flags: "12abc", "1e3", "-5" and "" are errors, not 12/1000/-5/0. */
export function parseInteger(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) {
    throw new UsageError(`${flag} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got "${raw ?? ''}"`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got "${raw}"`);
  }
  return value;
}
