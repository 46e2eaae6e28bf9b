/**
 * `engines` says what is tested: the machine's Node 20 (the whole suite, on RGW) and the
 * versions of .ci/node-versions (.ci/node-lines). When CI runs a Node line it names the
 * version it meant (LAKEVAULT_CI_NODE), and the suite checks it really runs on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const ciVersions = readFileSync(join(ROOT, '.ci', 'node-versions'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

describe('the Node lines lakevault supports', () => {
  it('.ci/node-versions pins exact versions', () => {
    expect(ciVersions.length).toBeGreaterThan(0);
    for (const version of ciVersions) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('engines names exactly Node 20 and the lines of .ci/node-versions', () => {
    const lines = engines.split('||').map((part) => part.trim());
    expect(lines).toEqual([20, ...ciVersions.map(major)].sort((a, b) => a - b).map((line) => `${line}.x`));
  });

  it(`this Node (${process.version}) is one of them`, () => {
    expect(engines.split('||').map((part) => part.trim())).toContain(`${major(process.version)}.x`);
  });

  const expected = process.env.LAKEVAULT_CI_NODE;
  (expected ? it : it.skip)(`runs on the Node binary CI meant (${expected ?? 'LAKEVAULT_CI_NODE unset: not a CI Node-line run'})`, () => {
    expect(process.version).toBe(`v${expected}`);
    expect(ciVersions).toContain(expected);
  });
});
