import type { Command } from 'commander';
import { loadConfig, loadEnvironment, type Config, type ConfigOverrides } from '../config/config';
import { openStore, type OpenStore } from '../store/open';
import { UsageError } from '../errors';
import { wholeNumber } from '../config/sources';
import { createOutput, type Output } from './output';
import type { MetricsFlags } from './metrics-flags';

/**
 * The global flags that set a ConfigOverrides field of the same name, as given: loadConfig
 * parses a flag's text by the same rules as the variable it overrides.
 */
const OVERRIDE_FLAGS = ['endpoint', 'region', 'caBundle', 'pathStyle', 'warehouse', 'backups', 'checkpoints', 'concurrency'] as const;

/**
 * Options every command accepts (declared once on the program, src/cli/main.ts). Derived
 * from ConfigOverrides so a flag cannot drift from the field it sets; --json is no
 * configuration at all.
 */
export interface GlobalOptions extends Pick<ConfigOverrides, (typeof OVERRIDE_FLAGS)[number]>, MetricsFlags {
  json?: boolean;
  /** The manifest key's file (config/manifest-key.ts). */
  manifestKeyFile?: string;
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
  if (options.manifestKeyFile) overrides.manifestKeyFile = options.manifestKeyFile;
  const { variables, fromFile } = loadEnvironment();
  return loadConfig(overrides, variables, { fromFile, overridesAre: 'flags' });
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

/** A command's whole-number flag ("12abc", "1e3", "-5" and "" are errors), by the rules of every setting. */
export function parseInteger(flag: string, raw: string | undefined, min: number, max: number): number {
  return wholeNumber(flag, raw ?? '', min, max, (message) => new UsageError(message));
}
