import { readFileSync } from 'node:fs';

/**
 * The peak resident memory of this process so far, in MB. On Linux from /proc (VmHWM, the
 * high-water mark of this process image): getrusage's maxRSS also counts the image a child
 * was forked from, so a CLI started by a large parent (a test runner) would report the
 * parent's size. Elsewhere, maxRSS.
 */
export function peakRssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
