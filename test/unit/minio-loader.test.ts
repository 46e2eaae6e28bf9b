/**
 * startTestStore's MinIO path loads testcontainers without Docker (only starting a
 * container needs an engine), and when loading fails it says why: a package that is not
 * installed, or the error an installed one threw on this Node. Runs the built loader
 * (dist/) in a plain Node process, so the errors are Node's own, not jest's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const LOADER = resolve(__dirname, '..', '..', 'dist', 'testing', 'minio-loader.js');
const PEER_RANGE = (require('../../package.json') as { peerDependencies: Record<string, string> }).peerDependencies;

/** Calls loadMinio in a fresh Node process, importing `entry` instead of @testcontainers/minio when given. */
async function loadInNode(entry?: string): Promise<{ loaded?: string; message?: string; cause?: string }> {
  const load = entry ? `() => import(${JSON.stringify(entry)})` : 'undefined';
  const script = `require(${JSON.stringify(LOADER)}).loadMinio(${load}).then(
    (module) => console.log(JSON.stringify({ loaded: typeof module.MinioContainer + ' ' + typeof module.MinioContainer.prototype.start })),
    (error) => console.log(JSON.stringify({ message: error.message, cause: error.cause && error.cause.message })));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 60_000 });
  return JSON.parse(stdout) as { loaded?: string; message?: string; cause?: string };
}

describe('loading the MinIO path of startTestStore', () => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'lakevault-minio-loader-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A package under work/node_modules whose entry is `source`. */
  function fakePackage(name: string, source: string): string {
    const directory = join(work, 'node_modules', name);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ name, version: '0.0.0', main: 'index.js' }));
    writeFileSync(join(directory, 'index.js'), source);
    return join(directory, 'index.js');
  }

  it(`imports testcontainers' MinioContainer on this Node (${process.version}) with no Docker engine involved`, async () => {
    expect(await loadInNode()).toEqual({ loaded: 'function function' });
  });

  it('names the missing package and the install command for the declared peer range', async () => {
    const entry = fakePackage('@testcontainers/minio', "require('testcontainers');\n");
    const { message } = await loadInNode(entry);
    expect(message).toMatch(/^startTestStore: MinIO needs the packages testcontainers and @testcontainers\/minio \(npm i -D .*\); testcontainers is not installed$/);
    expect(message).toContain(`testcontainers@'${PEER_RANGE.testcontainers}'`);
    expect(message).toContain(`@testcontainers/minio@'${PEER_RANGE['@testcontainers/minio']}'`);
  });

  it('an installed package that throws while loading (testcontainers 12.2 on Node 20) is reported with its own error, the Node version and what is installed', async () => {
    const entry = fakePackage('broken-minio', "const dispatcher = undefined;\nmodule.exports = { fetch: dispatcher.bind(null) };\n");
    const { message, cause } = await loadInNode(entry);
    expect(cause).toBe("Cannot read properties of undefined (reading 'bind')");
    expect(message).toContain(`startTestStore: @testcontainers/minio is installed but failed to load on Node ${process.version}: TypeError: Cannot read properties of undefined (reading 'bind')`);
    // The copies this loader would use (the repository's devDependencies) and their declared needs.
    expect(message).toMatch(/installed: testcontainers \d+\.\d+\.\d+(, needs node [^;]+)?; @testcontainers\/minio \d+\.\d+\.\d+/);
    expect(message).not.toMatch(/is not installed/);
  });

  it('a dependency missing inside testcontainers is a load failure naming it, not "install testcontainers"', async () => {
    const entry = fakePackage('minio-missing-dependency', "require('undici-that-is-not-here');\n");
    const { message } = await loadInNode(entry);
    expect(message).toMatch(/failed to load on Node .*Cannot find module 'undici-that-is-not-here'/);
  });
});
