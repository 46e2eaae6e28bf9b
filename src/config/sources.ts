import { ConfigError, type LakevaultError } from '../errors';

/** Where a setting's value came from, strongest first. */
export type SettingSource = 'flag' | 'environment' | '.env file' | 'default';

export interface SettingOrigin {
  source: SettingSource;
  /** The flag or variable that set it (none for a default). */
  from?: string;
}

type Env = Record<string, string | undefined>;

/** One setting's raw value, as the strongest source gives it, and where it came from. */
export interface RawSetting<T> {
  value: T | string | undefined;
  origin: SettingOrigin;
  /** How errors name it: the flag, the library option or the variable. */
  name: string;
}

/**
 * Reads settings from their sources, strongest first: a flag (or a library option), the
 * process environment, the .env file, the default. An empty value is no value.
 */
export class SettingSources {
  constructor(
    private readonly overrides: Record<string, unknown>,
    private readonly env: Env,
    private readonly fromFile: ReadonlySet<string>,
    /** Whether the overrides are the CLI's flags (named `--concurrency` in errors) or a library caller's options (`concurrency`). */
    private readonly overridesAre: 'flags' | 'options',
  ) {}

  /** `option`: the override's field; `flag`: its CLI spelling; `variables`: read in this order. */
  read<T>(option: string | undefined, flag: string | undefined, ...variables: string[]): RawSetting<T> {
    const override = option === undefined ? undefined : this.overrides[option];
    if (override !== undefined && override !== '') {
      const name = this.overridesAre === 'flags' && flag ? flag : option!;
      return { value: override as T | string, origin: { source: 'flag', from: name }, name };
    }
    for (const variable of variables) {
      const value = this.env[variable];
      if (value !== undefined && value !== '') {
        return { value, origin: { source: this.fromFile.has(variable) ? '.env file' : 'environment', from: variable }, name: variable };
      }
    }
    return { value: undefined, origin: { source: 'default' }, name: variables[0] ?? flag ?? option ?? '' };
  }
}

/**
 * The one parser of whole-number settings, for every source: digits only ("1e9", "0x10",
 * "1.5", "-5" and "12abc" are errors, not 1000000000/16/1/-5/12), within limits that keep
 * a run safe (a concurrency of ten million once exhausted memory). Typed numbers from a
 * library caller meet the same limits.
 */
export function wholeNumber(name: string, raw: string | number, min: number, max: number, makeError: (message: string) => LakevaultError = (message) => new ConfigError(message)): number {
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw makeError(`${name} must be a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got "${text}"`);
  }
  return value;
}
