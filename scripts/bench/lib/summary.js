// @ts-check
'use strict';
/** Turns runs into the figures the report shows: medians, min–max, ratios. */
const { spread, median } = require('./measure');

/**
 * @param {import('./rounds').Run[]} runs @param {number} count objects per run
 */
function summarize(runs, count) {
  const good = runs.filter((r) => r.verified);
  if (good.length === 0) return { ok: false, runs: runs.length, failures: runs.flatMap((r) => r.problems).slice(0, 3) };
  return {
    ok: good.length === runs.length,
    runs: runs.length,
    failures: runs.flatMap((r) => r.problems).slice(0, 3),
    objectsPerS: spread(good.map((r) => r.objectsPerS)),
    mibPerS: spread(good.map((r) => r.mibPerS)),
    wallS: spread(good.map((r) => r.wallS)),
    cpuS: median(good.map((r) => r.cpuS)),
    cpuMsPerObject: median(good.map((r) => (1000 * r.cpuS) / count)),
    serverCpuS: median(good.map((r) => r.serverCpuS)),
    peakRssMB: Math.max(...good.map((r) => r.peakRssMB)),
  };
}

/** @typedef {ReturnType<typeof summarize>} Summary */

/** The best of the ceiling contenders (raw-N) by median throughput. */
function bestCeiling(summaries) {
  let best;
  for (const [id, s] of summaries) {
    if (!id.startsWith('raw-') || !s.objectsPerS) continue;
    if (!best || s.objectsPerS.median > best.summary.objectsPerS.median) best = { id, summary: s };
  }
  return best;
}

module.exports = { summarize, bestCeiling };
