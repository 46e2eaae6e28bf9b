// @ts-check
'use strict';
/**
 * Alternating rounds: every contender runs once per round, in the same order (A B C A B C…),
 * so that a slow minute on the shared machine hurts everyone alike. Every run is verified;
 * a run that fails or copies the wrong thing is recorded as such, never as a time.
 */
const { measure } = require('./measure');
const { createBucket } = require('./s3');
const { serverCpuSeconds } = require('./cluster');
const { verifyCopy, verifyDeleted } = require('./datasets');

/**
 * @typedef {{ round: number, wallS: number, cpuS: number, peakRssMB: number, serverCpuS: number,
 *   objectsPerS: number, mibPerS: number, verified: boolean, problems: string[] }} Run
 */

/** @param {import('./measure').Measurement} m */
function failure(m) {
  return `exit ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
}

async function timed(argv, env) {
  const server0 = serverCpuSeconds();
  const m = await measure(argv, { env });
  return { m, serverCpuS: serverCpuSeconds() - server0 };
}

/**
 * @param {{ client: any, ds: import('./datasets').Dataset, source: Map<string, any>, contenders: import('./contenders').CopyContender[],
 *   rounds: number, tag: string, log: (line: string) => void }} plan
 * @returns {Promise<{ runs: Map<string, Run[]>, destinations: Map<string, { bucket: string, prefix: string }[]> }>}
 */
async function copyRounds({ client, ds, source, contenders, rounds, tag, log }) {
  const runs = new Map(contenders.map((c) => [c.id, /** @type {Run[]} */ ([])]));
  const destinations = new Map(contenders.map((c) => [c.id, /** @type {{ bucket: string, prefix: string }[]} */ ([])]));
  const src = { bucket: ds.bucket, prefix: ds.prefix };
  for (let round = 1; round <= rounds; round++) {
    for (const contender of contenders) {
      const dst = { bucket: `bench-${tag}-${ds.id}-${contender.id}-r${round}`, prefix: ds.prefix };
      await createBucket(client, dst.bucket);
      const { m, serverCpuS } = await timed(contender.argv(src, dst), contender.env);
      const problems = m.code === 0 ? await verifyCopy(client, ds, source, dst) : [failure(m)];
      const bytes = ds.count * ds.size;
      runs.get(contender.id)?.push({
        round, wallS: m.wallS, cpuS: m.cpuS, peakRssMB: m.peakRssMB, serverCpuS,
        objectsPerS: ds.count / m.wallS, mibPerS: bytes / 1048576 / m.wallS, verified: problems.length === 0, problems,
      });
      if (problems.length === 0) destinations.get(contender.id)?.push(dst);
      log(`  ${ds.id} r${round} ${contender.id.padEnd(15)} ${m.wallS.toFixed(2).padStart(7)} s ${(ds.count / m.wallS).toFixed(0).padStart(6)} obj/s  cpu ${m.cpuS.toFixed(2)} s  rss ${m.peakRssMB.toFixed(0)} MB  server ${serverCpuS.toFixed(1)} s ${problems.length ? 'FAILED ' + problems[0] : 'verified'}`);
    }
  }
  return { runs, destinations };
}

/**
 * Deletes copies made by the copy rounds, alternating the deleters; each target prefix is
 * used by exactly one deleter.
 * @param {{ client: any, count: number, contenders: import('./contenders').DeleteContender[], targets: { bucket: string, prefix: string }[], rounds: number, log: (line: string) => void }} plan
 */
async function deleteRounds({ client, count, contenders, targets, rounds, log }) {
  const runs = new Map(contenders.map((c) => [c.id, /** @type {Run[]} */ ([])]));
  const pending = [...targets];
  for (let round = 1; round <= rounds; round++) {
    for (const contender of contenders) {
      const target = pending.shift();
      if (!target) { log(`  delete: no copy left to delete for ${contender.id} in round ${round}`); continue; }
      const { m, serverCpuS } = await timed(contender.argv(target), contender.env);
      const problems = m.code === 0 ? await verifyDeleted(client, target) : [failure(m)];
      runs.get(contender.id)?.push({
        round, wallS: m.wallS, cpuS: m.cpuS, peakRssMB: m.peakRssMB, serverCpuS,
        objectsPerS: count / m.wallS, mibPerS: 0, verified: problems.length === 0, problems,
      });
      log(`  delete r${round} ${contender.id.padEnd(15)} ${m.wallS.toFixed(2).padStart(7)} s ${(count / m.wallS).toFixed(0).padStart(6)} obj/s  cpu ${m.cpuS.toFixed(2)} s ${problems.length ? 'FAILED ' + problems[0] : 'verified'}`);
    }
  }
  return runs;
}

module.exports = { copyRounds, deleteRounds };
