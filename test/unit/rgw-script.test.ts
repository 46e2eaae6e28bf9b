import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/rgw.sh');

/**
 * `scripts/rgw.sh stop` (also run first by `start`) kills the daemons its pid files name.
 * A pid file left by a daemon that died stays behind, and its number is later given to
 * another process — on a shared machine, another cluster's radosgw. Only a process that
 * runs with this cluster's ceph.conf may be killed.
 */
describe('scripts/rgw.sh stop', () => {
  it('leaves alone a process whose pid a stale pid file names but that is not this cluster\'s daemon', async () => {
    const base = mkdtempSync(join(tmpdir(), 'lv-rgw-stale-'));
    mkdirSync(join(base, 'run'));
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      for (const name of ['client.rgw.a', 'osd.0', 'mon.a']) writeFileSync(join(base, 'run', `${name}.pid`), `${stranger.pid}\n`);
      execFileSync('bash', [SCRIPT, 'stop'], { env: { ...process.env, RGW_BASE: base }, stdio: 'ignore', timeout: 60_000 });
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
      expect(() => process.kill(stranger.pid!, 0)).not.toThrow();
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});
