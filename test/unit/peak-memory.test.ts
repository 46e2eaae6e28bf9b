import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

describe('the peak memory a validation reports', () => {
  it("is the process's own, not that of the larger process it was started from", () => {
    const held = Buffer.alloc(400 * 1024 * 1024, 1); // this parent is now 400 MB larger than the child will be
    const script = `console.log(require(${JSON.stringify(resolve(__dirname, '../../dist/validate/peak-memory.js'))}).peakRssMb())`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(held[held.length - 1]).toBe(1);
    const peak = Number(child.stdout.trim());
    expect(peak).toBeGreaterThan(10);
    expect(peak).toBeLessThan(200);
  });
});
