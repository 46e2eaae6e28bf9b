/**
 * The package as a user gets it: `npm pack`, installed into a fresh project together with
 * the optional testcontainers peers (`npm install <tarball> testcontainers
 * @testcontainers/minio`, as docs/LIBRARY.md says), imported from ESM and from CommonJS
 * (and type-checked from TypeScript in both module kinds), then used end to end against
 * the embedded store with the testing helpers; the CLI runs from the project's
 * node_modules/.bin. Everything runs on the Node running this test — CI runs it on each
 * Node line it supports (.ci/run) — and npm installs with that Node.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const NPM_OPTIONS = { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 };
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The child sees no S3 target: the library must start its own embedded server. */
function embeddedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LAKEVAULT_HOME: home };
  for (const name of Object.keys(env)) if (/^(S3_|AWS_(ACCESS|SECRET|SESSION|PROFILE|REGION))|^LAKEVAULT_(WAREHOUSE|BACKUPS|CHECKPOINTS)$/.test(name)) delete env[name];
  return env;
}

/** What each consumer script does, written once, in the two module syntaxes. */
const FLOW = `
  const lv = await Lakevault.open({ warehouse: 's3://consumer-lake/warehouse', backups: 's3://consumer-backups', checkpoints: 's3://consumer-checkpoints' });
  const events = [];
  lv.on('progress', (event) => events.push(event.operation));
  try {
    const created = await lv.table.create(NAME, { rows: 3000, rowsPerFile: 1000 });
    const backup = await lv.backup.create(NAME);
    const restored = await lv.backup.restore(backup.id, { to: NAME + '-restored' });
    const validation = await lv.validate(NAME, NAME + '-restored', { level: 'full' });
    const equal = await expectTablesEqual(NAME, NAME + '-restored', { client: lv });
    let missing;
    try { await lv.backup.show('20200101T000000Z-000000'); } catch (error) { missing = { code: error.code, typed: error instanceof NotFoundError, name: error.name }; }
    const schemaOk = reportSchemas['backup-create'].safeParse(backup).success && reportSchemas['backup-restore'].safeParse(restored).success;
    console.log(JSON.stringify({
      created: created.rows, files: created.files, backup: backup.objects, restored: restored.rows, restoreOk: restored.ok,
      valid: validation.ok, checked: validation.rowsChecked, equal: equal.ok, missing, schemaOk, version: created.schemaVersion,
      events: [...new Set(events)], helpers: await testingHelpers(),
    }));
  } finally {
    await lv.close();
  }

  /** A test store of its own, a fixture on it, the matcher's verdict, and the MinIO path's import (no Docker engine: DOCKER_HOST points nowhere). */
  async function testingHelpers() {
    const store = await startTestStore({ prefer: 'embedded' });
    const client = await Lakevault.open({ env: { ...store.env, LAKEVAULT_WAREHOUSE: 's3://helpers/warehouse' } });
    try {
      const fixture = await createSalesTable(client, { rows: 1500, rowsPerFile: 500 });
      const same = await matchers.toMatchTable.call({}, fixture, fixture.uri, { level: 'full' });
      await fixture.drop();
      let minio;
      try {
        const started = await startTestStore({ prefer: 'minio' });
        await started.stop();
        minio = 'started';
      } catch (error) {
        minio = /^startTestStore:/.test(error.message) ? error.message : 'imported; no container runtime';
      }
      return { store: store.kind, fixtureRows: fixture.rows, matches: same.pass, minio };
    } finally {
      await client.close();
      await store.stop();
    }
  }
`;

const ESM = `import { Lakevault, NotFoundError, reportSchemas } from 'lakevault';
import { createSalesTable, expectTablesEqual, matchers, startTestStore } from 'lakevault/testing';
const NAME = 'from-esm';
${FLOW}`;

const CJS = `const { Lakevault, NotFoundError, reportSchemas } = require('lakevault');
const { createSalesTable, expectTablesEqual, matchers, startTestStore } = require('lakevault/testing');
const NAME = 'from-cjs';
(async () => {
${FLOW}
})().catch((error) => { console.error(error); process.exitCode = 1; });`;

/** Type-checks named imports in both module kinds; the expect-error lines prove the types are real, not any. */
const TS_BODY = `
export async function use(): Promise<number> {
  const lv: Lakevault = await Lakevault.open({ warehouse: 's3://x/y' });
  const report = await lv.backup.create('t', { label: 'nightly' });
  // @ts-expect-error rows is a number
  const wrong: string = report.rows;
  const error = new NotFoundError('x');
  const code: 'NOT_FOUND' | string = error.code;
  const fixture: TestTable = await createSalesTable(lv, { rows: 10 });
  await expectTablesEqual(fixture, fixture, { level: 'quick' });
  void wrong; void code;
  return report.schemaVersion;
}
`;

describe('the packed package, installed into a fresh project', () => {
  let work: string;
  let project: string;

  let packed: { listing: string; manifest: { scripts?: Record<string, string> }; stderr: string };
  let installWarnings: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lakevault-pack-'));
    project = join(work, 'consumer');
    const pack = await run('npm', ['pack', '--pack-destination', work], { cwd: ROOT, ...NPM_OPTIONS });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
    expect(tarball).toBe(`lakevault-${PACKAGE.version}.tgz`);
    const { stdout: listing } = await run('tar', ['tzf', join(work, tarball)], NPM_OPTIONS);
    const { stdout: manifest } = await run('tar', ['xzOf', join(work, tarball), 'package/package.json'], NPM_OPTIONS);
    packed = { listing, manifest: JSON.parse(manifest) as typeof packed.manifest, stderr: pack.stderr };

    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // Dependencies come from the npm cache when it has them (the registry otherwise). The
    // peers are named without a version, as a user types them: lakevault's peer range picks it.
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball), 'testcontainers', '@testcontainers/minio'], { cwd: project, ...NPM_OPTIONS });
    installWarnings = install.stderr;
    writeFileSync(join(project, 'flow.mjs'), ESM);
    writeFileSync(join(project, 'flow.cjs'), CJS);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships what works from the tarball alone: built code, types, schemas, the changelog; no sources, source maps or install-time scripts', () => {
    const { listing, manifest, stderr } = packed;
    expect(listing).toContain('package/dist/index.mjs');
    expect(listing).toContain('package/dist/testing/index.d.mts');
    expect(listing).toContain('package/schemas/v1/backup-create.json');
    expect(listing).toContain('package/CHANGELOG.md');
    expect(listing).not.toMatch(/package\/(src|test)\//);
    // Maps would point at src/, which is not shipped.
    expect(listing).not.toMatch(/\.map$/m);
    for (const script of ['prepare', 'preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[script]).toBeUndefined();
    expect(stderr).not.toMatch(/warn/i);
  });

  it(`installs on Node ${process.version} with no warning about lakevault (engines, scripts), and the peers resolve to a version that loads here`, () => {
    expect(installWarnings.split('\n').filter((line) => /lakevault/.test(line))).toEqual([]);
    const installed = (name: string) => (JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    const range = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies;
    const major = (version: string) => version.replace(/^\^/, '').split('.')[0];
    for (const peer of ['testcontainers', '@testcontainers/minio']) expect(major(installed(peer))).toBe(major(range[peer]!));
    const shipped = readFileSync(join(project, 'node_modules', 'lakevault', 'dist', 'testing', 'index.js'), 'utf8');
    expect(shipped).not.toContain('sourceMappingURL');
  });

  it('the CLI runs from node_modules/.bin: --version, then a table created and validated on the embedded store', async () => {
    const bin = join(project, 'node_modules', '.bin', 'lakevault');
    const env = embeddedEnv(join(work, 'home-cli'));
    const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { cwd: project, env, ...NPM_OPTIONS }).then(({ stdout }) => JSON.parse(stdout) as Record<string, unknown>);
    expect(await cli('--version', '--json')).toEqual({ schemaVersion: 1, version: PACKAGE.version, node: process.version });
    expect(await cli('table', 'create', 'from-cli', '--rows', '2000', '--rows-per-file', '1000', '--json')).toMatchObject({ rows: 2000, files: 2 });
    expect(await cli('validate', 'from-cli', '--level', 'full', '--json')).toMatchObject({ ok: true, rowsChecked: 2000 });
  }, 300_000);

  for (const [kind, script, name] of [['ESM', 'flow.mjs', 'from-esm'], ['CommonJS', 'flow.cjs', 'from-cjs']] as const) {
    it(`${kind}: imports by name, creates, backs up, restores and validates against the embedded store; the testing helpers work`, async () => {
      const env = { ...embeddedEnv(join(work, `home-${name}`)), DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
      const { stdout, stderr } = await run(process.execPath, [script], { cwd: project, env, ...NPM_OPTIONS })
        .catch((error: { code?: number; stdout?: string; stderr?: string }) => {
          throw new Error(`${script} exited with ${error.code}: ${error.stderr || error.stdout}`);
        });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1); // the library printed nothing of its own
      expect(stderr).toBe('');
      expect(JSON.parse(lines[0]!)).toEqual({
        created: 3000, files: 3, backup: 3, restored: 3000, restoreOk: true,
        valid: true, checked: 6000, equal: true,
        missing: { code: 'NOT_FOUND', typed: true, name: 'NotFoundError' },
        schemaOk: true, version: 1,
        events: ['table.create', 'backup.create', 'backup.restore', 'validate'],
        // Where a Docker engine answers anyway, testcontainers finds it and MinIO starts: the import worked either way.
        helpers: { store: 'embedded', fixtureRows: 1500, matches: true, minio: expect.stringMatching(/^(imported; no container runtime|started)$/) },
      });
    }, 300_000);
  }

  it('type-checks named imports from TypeScript in ESM (.mts) and CommonJS (.cts) projects', async () => {
    writeFileSync(join(project, 'use.mts'), `import { Lakevault, NotFoundError } from 'lakevault';\nimport { createSalesTable, expectTablesEqual, type TestTable } from 'lakevault/testing';\n${TS_BODY}`);
    writeFileSync(join(project, 'use.cts'), `import { Lakevault, NotFoundError } from 'lakevault';\nimport { createSalesTable, expectTablesEqual, type TestTable } from 'lakevault/testing';\n${TS_BODY}`);
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck',
      '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'use.mts', 'use.cts'];
    await expect(run(tsc, args, { cwd: project, ...NPM_OPTIONS })).resolves.toBeDefined();

    // And a misuse is caught: the option names are typed.
    writeFileSync(join(project, 'bad.mts'), `import { Lakevault } from 'lakevault';\nconst lv = await Lakevault.open();\nawait lv.backup.restore('x', { destination: 'y' });\n`);
    const failed = await run(tsc, [...args.slice(0, -2), 'bad.mts'], { cwd: project, ...NPM_OPTIONS }).then(() => undefined, (error: { stdout: string }) => error.stdout);
    expect(failed).toMatch(/bad\.mts.*destination/s);
  }, 300_000);
});
