import { UsageError } from '../errors';

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** A size such as 1048576, 500MB, 10GiB or 1.5 TB (decimal and binary units). */
export function parseByteSize(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  const unit = match ? BYTE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new UsageError(`${what} must be a size such as 500MB or 10GiB, got "${text}"`);
  return bytes;
}

const INTERVAL_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const INTERVAL_WORDS: Record<string, string> = { hourly: '1h', daily: '1d', weekly: '1w' };

/**
 * How often something runs: minutes, hours, days and weeks combined (`30m`, `6h`, `1d12h`,
 * `1w`), or hourly / daily / weekly. (Not restic's duration syntax, where m is a month:
 * retention keeps that one.)
 */
export function parseInterval(text: string, what: string, minimumMs = 60_000): number {
  const source = INTERVAL_WORDS[text.trim().toLowerCase()] ?? text.trim();
  let total = 0;
  let rest = source;
  while (rest.length) {
    const match = /^(\d+)([smhdw])/.exec(rest);
    if (!match) { total = NaN; break; }
    total += Number(match[1]) * INTERVAL_UNITS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  if (!source.length || !Number.isSafeInteger(total) || total < minimumMs) throw new UsageError(`${what} must be an interval such as 30m, 6h, 1d or 1w (at least ${formatInterval(minimumMs)}), got "${text}"`);
  return total;
}

export function formatInterval(ms: number): string {
  for (const [unit, size] of [['w', INTERVAL_UNITS.w!], ['d', INTERVAL_UNITS.d!], ['h', INTERVAL_UNITS.h!]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

// Whole counts get their thousands separators here: toLocaleString builds a formatter per
// call (a tenth of a copy's own CPU when every copied object reported progress), and
// building even one loads ICU's number data, ~20 ms of a run. Anything else goes to ICU.
let counts: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
  counts ??= new Intl.NumberFormat('en');
  return counts.format(n);
}

/** A count and its noun, formatted and agreeing: "1 file", "2,000 files" (`many` for irregular plurals). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
