import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, storeState, TARGET, targetHas } from '../support/target';
import { runCli, type CliResult } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { resolveTable } from '../../src/table/table-ref';
import { readTableManifest, TABLE_MANIFEST } from '../../src/table/manifest';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';
import { seriesName } from '../../src/snapshot/identity';
import { testConfig } from '../support/target';
import { openTableSource } from '../../src/sources/registry';

/**
 * Bad input, one table: every row runs the real CLI and asserts the exit code, ONE error
 * line on stderr (no stack trace, no secret) that says what is wrong, and that no object
 * was written or deleted and no bucket created (listings with sizes and ETags, before and
 * after).
 */
interface Case {
  name: string;
  args: string[] | (() => string[]);
  env?: () => Record<string, string | undefined>;
  exit: number;
  message: RegExp;
  /** A target that cannot show this case (the embedded server checks no signatures). */
  needs?: string;
  /** Not an error: exit 0 and this on stdout (a problem reported, nothing failed). */
  reported?: RegExp;
  /**
   * The command may leave an INCOMPLETE snapshot (pending marker, copies) under this
   * prefix (the table's series folder) of the backups bucket — never a manifest, so it is never listed complete.
   * Such cases run alone, with their own before/after.
   */
  mayLeaveIncomplete?: string;
}

const SECRET = process.env.AWS_SECRET_ACCESS_KEY ?? '';

describe(`bad input on ${TARGET}: one clear line, the right exit code, nothing changed`, () => {
  const bucket = uniqueBucket('badinput');
  const backupsBucket = `${bucket}-bk`;
  const checkpointsBucket = `${bucket}-cp`;
  const missingBucket = uniqueBucket('nonexistent');
  const env = {
    LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`,
    LAKEVAULT_BACKUPS: `s3://${backupsBucket}`,
    LAKEVAULT_CHECKPOINTS: `s3://${checkpointsBucket}`,
    LAKEVAULT_HOME: mkdtempSync(join(tmpdir(), 'lv-badinput-')),
  };
  const config = testConfig(env);
  let open: OpenStore;
  let backupId = '';
  let silent: NetServer;
  let silentPort = 0;
  const silentSockets = new Set<Socket>();
  let expired: HttpsServer;
  let expiredPort = 0;
  let expiredCa = '';

  /** Every object of the suite's buckets (key, size, ETag) and which buckets exist. */
  const state = () => storeState(open, [bucket, backupsBucket, checkpointsBucket, missingBucket]);

  beforeAll(async () => {
    open = await openTestStore();
    const table = (name: string, rows = 2_000) => createSalesTable(open.store, resolveTable(config, name), { rows, seed: 5, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false });
    await table('good');
    const backup = await createSnapshot(open.store, backupRepository(config), resolveTable(config, 'good'), openTableSource, { concurrency: 4 });
    backupId = backup.id;
    await open.store.ensureBucket(checkpointsBucket);

    // Damaged tables: each keeps a valid manifest except where the damage is the manifest.
    for (const name of ['notparquet', 'truncated', 'badjson', 'badschema', 'strayobject']) await table(name);
    const fileOf = async (name: string) => {
      const ref = resolveTable(config, name);
      const manifest = (await readTableManifest(open.store, ref.location))!;
      return { ref, key: ref.location.prefix + manifest.files[0]!.key };
    };
    const notParquet = await fileOf('notparquet');
    await open.store.put(bucket, notParquet.key, 'id,total\n1,2\n');
    const truncated = await fileOf('truncated');
    const whole = await open.store.getBytes(bucket, truncated.key);
    await open.store.put(bucket, truncated.key, whole.subarray(0, Math.floor(whole.length / 2)));
    await open.store.put(bucket, `${resolveTable(config, 'badjson').location.prefix}${TABLE_MANIFEST}`, '{"format": "lakevault.table", ');
    await open.store.put(bucket, `${resolveTable(config, 'badschema').location.prefix}${TABLE_MANIFEST}`, JSON.stringify({ format: 'lakevault.table', formatVersion: 1, name: 'badschema', files: 'none' }));
    await open.store.put(bucket, `${resolveTable(config, 'strayobject').location.prefix}data/notes.parquet`, 'this is not parquet');

    // A loopback port that accepts connections and never answers.
    silent = createNetServer((socket) => { silentSockets.add(socket); socket.on('close', () => silentSockets.delete(socket)); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;

    // An HTTPS endpoint whose certificate expired in 2020 (trusted: it is its own CA).
    const dir = mkdtempSync(join(tmpdir(), 'lv-expired-'));
    writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=x\n[x]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n');
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'req.csr', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    sh(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'req.csr', '-out', 'cert.pem', '-notext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
    expiredCa = join(dir, 'cert.pem');
    const { readFileSync } = await import('node:fs');
    expired = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(expiredCa) }, (_req, res) => { res.statusCode = 500; res.end(); });
    await new Promise<void>((resolve) => expired.listen(0, '127.0.0.1', resolve));
    expiredPort = (expired.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
    expired?.close();
    for (const name of [bucket, backupsBucket, checkpointsBucket, missingBucket]) await removeBucket(open, name);
    await open.close();
  });

  const missingId = '20200101T000000Z-abcdef';
  const cases: Case[] = [
    // Where things are
    { name: 'nonexistent bucket (inspect)', args: () => ['table', 'inspect', `s3://${missingBucket}/t`], exit: 1, message: /bucket does not exist|not found/ },
    { name: 'nonexistent bucket (validate)', args: () => ['validate', `s3://${missingBucket}/t`], exit: 1, message: /not a table, backup or checkpoint|bucket does not exist/ },
    { name: 'nonexistent bucket (restore from)', args: () => ['backup', 'restore', missingId, '--to', 'fresh'], env: () => ({ LAKEVAULT_BACKUPS: `s3://${missingBucket}` }), exit: 1, message: /not found/ },
    { name: 'nonexistent table (inspect)', args: ['table', 'inspect', 'nope'], exit: 1, message: /table "nope" not found/ },
    { name: 'nonexistent table (backup create)', args: ['backup', 'create', 'nope'], exit: 1, message: /table "nope" not found/ },
    { name: 'nonexistent table (validate)', args: ['validate', 'nope'], exit: 1, message: /"nope" is not a table/ },
    { name: 'nonexistent table (drop)', args: ['table', 'drop', 'nope'], exit: 1, message: /table "nope" not found/ },
    { name: 'nonexistent table (recover)', args: ['recover', 'nope', '--latest'], exit: 1, message: /no complete checkpoint/ },
    { name: 'nonexistent backup id (restore)', args: ['backup', 'restore', missingId, '--to', 'fresh'], exit: 1, message: /backup "20200101T000000Z-abcdef" not found/ },
    { name: 'nonexistent backup id (show)', args: ['backup', 'show', missingId], exit: 1, message: /not found/ },
    { name: 'nonexistent backup id (delete)', args: ['backup', 'delete', missingId], exit: 1, message: /not found/ },
    { name: 'malformed backup id (restore)', args: ['backup', 'restore', 'yesterday', '--to', 'fresh'], exit: 1, message: /backup "yesterday" not found/ },
    // Who and how
    { name: 'wrong secret key', args: ['table', 'list'], env: () => ({ AWS_SECRET_ACCESS_KEY: 'wrong-secret-0000000000000000000000000' }), exit: 1, message: /secret key is wrong|SignatureDoesNotMatch|access denied/, needs: 'signatures' },
    { name: 'unknown access key', args: ['table', 'list'], env: () => ({ AWS_ACCESS_KEY_ID: 'NOSUCHKEY0000000000', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) }), exit: 1, message: /access key is not known|InvalidAccessKeyId|access denied/, needs: 'signatures' },
    { name: 'endpoint refuses connections', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: 'http://127.0.0.1:1', LAKEVAULT_MAX_ATTEMPTS: '2' }), exit: 1, message: /cannot reach http:\/\/127\.0\.0\.1:1 \(connection refused\)/ },
    { name: 'endpoint host does not resolve', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: 'http://lakevault-no-such-host.invalid:9000', LAKEVAULT_MAX_ATTEMPTS: '2' }), exit: 1, message: /cannot reach .*\(host name not found\)/ },
    { name: 'endpoint accepts and never answers', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: `http://127.0.0.1:${silentPort}`, LAKEVAULT_REQUEST_TIMEOUT_MS: '800', LAKEVAULT_MAX_ATTEMPTS: '2' }), exit: 1, message: /cannot reach .*\(timed out\)/ },
    { name: 'TLS: CA not trusted (RGW HTTPS without S3_CA_BUNDLE)', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: process.env.S3_ENDPOINT_HTTPS ?? 'https://127.0.0.1:17443', S3_CA_BUNDLE: undefined, AWS_CA_BUNDLE: undefined, LAKEVAULT_MAX_ATTEMPTS: '1' }), exit: 1, message: /TLS failure .*(not signed by a trusted CA|self-signed|issuer unknown)/, needs: 'rgw-https' },
    { name: 'TLS: certificate expired', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: `https://127.0.0.1:${expiredPort}`, S3_CA_BUNDLE: expiredCa, LAKEVAULT_MAX_ATTEMPTS: '1' }), exit: 1, message: /TLS failure .*certificate has expired/ },
    { name: 'endpoint is not a URL', args: ['table', 'list'], env: () => ({ S3_ENDPOINT: 'localhost:9000' }), exit: 2, message: /S3_ENDPOINT must start with http/ },
    // What is stored
    { name: 'non-Parquet object listed in the manifest (validate)', args: ['validate', 'notparquet'], exit: 1, message: /validation found/ },
    { name: 'non-Parquet object listed in the manifest (backup create)', args: ['backup', 'create', 'notparquet'], exit: 1, message: /copy s3:\/\/.*notparquet\/data\/part-00000.*: the object is not the version expected .*\(PreconditionFailed\)|copy of .*notparquet\/data\/part-00000.* does not match its source/, mayLeaveIncomplete: `${seriesName(resolveTable(config, 'notparquet').location)}/` },
    // An object beside the table, not in its manifest, is not part of it: reported, not failed.
    { name: 'non-Parquet object beside the manifest (validate full)', args: ['validate', 'strayobject', '--level', 'full'], exit: 0, message: /^$/, reported: /OK: full validation[\s\S]*not in its manifest: data\/notes\.parquet/ },
    { name: 'non-Parquet object beside the manifest (inspect)', args: ['table', 'inspect', 'strayobject'], exit: 0, message: /^$/, reported: /data\/notes\.parquet: not listed in the manifest/ },
    { name: 'truncated Parquet object (validate full)', args: ['validate', 'truncated', '--level', 'full'], exit: 1, message: /validation found/ },
    { name: 'manifest is not JSON (validate)', args: ['validate', 'badjson'], exit: 1, message: /manifest s3:\/\/.*badjson\/_lakevault\/table\.json is not valid JSON/ },
    { name: 'manifest is not JSON (backup create)', args: ['backup', 'create', 'badjson'], exit: 1, message: /is not valid JSON/ },
    { name: 'manifest is not JSON (table create --overwrite)', args: ['table', 'create', 'badjson', '--rows', '10', '--overwrite'], exit: 1, message: /is not valid JSON/ },
    { name: 'manifest fails schema validation (inspect)', args: ['table', 'inspect', 'badschema'], exit: 1, message: /manifest s3:\/\/.*badschema\/_lakevault\/table\.json is invalid/ },
    { name: 'manifest fails schema validation (restore onto it without --force)', args: () => ['backup', 'restore', backupId, '--to', 'badschema'], exit: 1, message: /is invalid/ },
    { name: 'restore onto a non-empty table without --force', args: () => ['backup', 'restore', backupId, '--to', 'good'], exit: 1, message: /table s3:\/\/.*\/good\/ exists .*use --force/ },
    { name: 'restore into a prefix holding foreign objects without --force', args: () => ['backup', 'restore', backupId, '--to', 'strayobject'], exit: 1, message: /exists|not empty/ },
    // Numbers
    { name: '--rows 0', args: ['table', 'create', 'fresh', '--rows', '0'], exit: 2, message: /--rows must be a whole number from 1 to 1,000,000,000, got "0"/ },
    { name: '--rows negative', args: ['table', 'create', 'fresh', '--rows', '-5'], exit: 2, message: /--rows must be a whole number .* got "-5"/ },
    { name: '--rows non-numeric', args: ['table', 'create', 'fresh', '--rows', 'many'], exit: 2, message: /--rows must be a whole number .* got "many"/ },
    { name: '--rows 12abc', args: ['table', 'create', 'fresh', '--rows', '12abc'], exit: 2, message: /--rows must be a whole number .* got "12abc"/ },
    { name: '--rows absurdly large', args: ['table', 'create', 'fresh', '--rows', '99999999999999999999'], exit: 2, message: /--rows must be a whole number .* got "99999999999999999999"/ },
    { name: '--rows 1e9 (exponent)', args: ['table', 'create', 'fresh', '--rows', '1e9'], exit: 2, message: /--rows must be a whole number/ },
    { name: '--concurrency 0', args: ['--concurrency', '0', 'table', 'list'], exit: 2, message: /--concurrency must be a whole number/ },
    // Names
    { name: 'table name with path traversal', args: ['table', 'create', '../escape', '--rows', '10'], exit: 2, message: /invalid table name "\.\.\/escape"/ },
    { name: 'table name ".."', args: ['table', 'create', '..', '--rows', '10'], exit: 2, message: /invalid table name/ },
    { name: 'table name with a slash', args: ['backup', 'create', 'good/other'], exit: 2, message: /invalid table name "good\/other"/ },
    { name: 'table name with characters S3 forbids or mangles', args: ['table', 'create', 'bad\\name{}^%`', '--rows', '10'], exit: 2, message: /invalid table name/ },
    { name: 'table name with a control character', args: ['table', 'create', 'tab\u0001le', '--rows', '10'], exit: 2, message: /invalid table name/ },
    { name: 'restore target with path traversal', args: () => ['backup', 'restore', backupId, '--to', '../../etc'], exit: 2, message: /invalid table name/ },
    { name: 'bucket name S3 forbids', args: ['table', 'inspect', 's3://Bad_Bucket/t'], exit: 2, message: /invalid bucket "Bad_Bucket"/ },
    // Flags
    { name: 'conflicting flags: --checkpoint and --latest', args: ['recover', 'good', '--checkpoint', missingId, '--latest'], exit: 2, message: /either --checkpoint ID or --latest, not both/ },
    { name: 'missing required flag: restore without --to', args: () => ['backup', 'restore', backupId], exit: 2, message: /required option '--to <table>' not specified/ },
    { name: 'unknown flag', args: ['table', 'create', 'fresh', '--rowz', '10'], exit: 2, message: /unknown option '--rowz'/ },
    { name: 'bad choice: --level fast', args: ['validate', 'good', '--level', 'fast'], exit: 2, message: /--level.*fast.*(invalid|Allowed choices)/ },
    { name: 'prune with no rule at all', args: ['backup', 'prune', 'good'], exit: 2, message: /no retention rule given/ },
    { name: 'prune whose only rule keeps no backup', args: ['backup', 'prune', 'good', '--keep-tag', 'nosuch'], exit: 1, message: /refusing to remove every backup of table good: the policy keeps none of its 1 complete backup \(nothing was deleted\)/ },
    { name: 'prune with a malformed duration', args: ['backup', 'prune', 'good', '--keep-within', '7x'], exit: 2, message: /--keep-within "7x": invalid unit "x" after number 7/ },
    { name: 'prune with a negative count other than -1', args: ['backup', 'prune', 'good', '--keep-daily', '-3'], exit: 2, message: /--keep-daily must be a whole number ≥ 0, or -1 \/ unlimited/ },
    { name: 'backup tag with a control character', args: ['backup', 'create', 'good', '--tag', 'bad\u0007tag'], exit: 2, message: /--tag "bad\\u0007tag": a tag cannot contain control characters/ },
    { name: 'malformed --resume id', args: ['backup', 'create', 'good', '--resume', 'last'], exit: 2, message: /"last" is not a snapshot id/ },
  ];

  const targetCan = (need?: string) => need === undefined
    || (need === 'rgw-https' ? TARGET === 'rgw' : targetHas(need));

  /** Runs one case; returns what is wrong with the outcome (empty: as expected). */
  async function check(c: Case): Promise<string[]> {
    const args = typeof c.args === 'function' ? c.args() : c.args;
    // Generous: a loaded 2-core machine has taken over a minute to start decode workers.
    const result: CliResult = await runCli(args, { ...env, ...(c.env?.() ?? {}) }, 240_000);
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    const problems: string[] = [];
    if (result.code !== c.exit) problems.push(`exit ${result.code} (signal ${result.signal}), expected ${c.exit}`);
    if (c.reported) {
      if (lines.length !== 0) problems.push(`${lines.length} stderr lines, expected none`);
      if (!c.reported.test(result.stdout)) problems.push(`stdout does not match ${c.reported}`);
    } else {
      if (lines.length !== 1) problems.push(`${lines.length} stderr lines, expected 1`);
      if (!/^lakevault: error: /.test(lines[0] ?? '')) problems.push('stderr does not start with "lakevault: error: "');
      if (!c.message.test(lines[0] ?? '')) problems.push(`message does not match ${c.message}`);
    }
    if (/\n\s+at /.test(result.stderr)) problems.push('stack trace on stderr');
    if (SECRET && (result.stderr + result.stdout).includes(SECRET)) problems.push('the secret key appears in the output');
    return problems.length ? [`${c.name}: ${problems.join('; ')}\n    stderr: ${result.stderr.trim().slice(0, 400)}`] : [];
  }

  function changes(before: string[], after: string[]): { added: string[]; removed: string[] } {
    return { added: after.filter((line) => !before.includes(line)), removed: before.filter((line) => !after.includes(line)) };
  }

  it(`${cases.length} bad inputs, each: exit code, one error line, no secret, no object written or deleted`, async () => {
    const failures: string[] = [];
    const skipped = cases.filter((c) => !targetCan(c.needs));
    const runnable = cases.filter((c) => targetCan(c.needs));

    // A failure the command found (a validation's differences, a copy that failed) is recorded
    // in the repository's history (src/history): the record of what happened, no data changed.
    const isRecord = (line: string) => line.startsWith(`${backupsBucket}/_lakevault/history/`) || line.startsWith(`${backupsBucket}/_lakevault/status/`);

    // Cases that may leave an incomplete snapshot run alone: only that, under their prefix.
    for (const c of runnable.filter((c) => c.mayLeaveIncomplete)) {
      const before = await state();
      failures.push(...(await check(c)));
      const { added, removed } = changes(before, await state());
      const allowed = (line: string) => isRecord(line) || (line.startsWith(`${backupsBucket}/${c.mayLeaveIncomplete}`) && !line.includes('_lakevault/snapshot.json'));
      if (removed.length || added.some((line) => !allowed(line))) failures.push(`${c.name}: store changed beyond an incomplete snapshot: +${JSON.stringify(added)} -${JSON.stringify(removed)}`);
      const listed = await runCli(['backup', 'list', '--json'], env);
      const incomplete = (JSON.parse(listed.stdout).backups as { series: string; state: string }[]).filter((b) => `${b.series}/` === c.mayLeaveIncomplete);
      if (incomplete.some((b) => b.state !== 'incomplete')) failures.push(`${c.name}: a backup of the damaged table is listed complete`);
    }

    // The rest change nothing at all: four at a time, one listing before and one after.
    const before = await state();
    const rest = runnable.filter((c) => !c.mayLeaveIncomplete);
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < rest.length) failures.push(...(await check(rest[next++]!)));
    }));
    const { added: addedAll, removed } = changes(before, await state());
    const added = addedAll.filter((line) => !isRecord(line));
    if (added.length || removed.length) failures.push(`store changed: +${JSON.stringify(added.slice(0, 5))} -${JSON.stringify(removed.slice(0, 5))}`);

    if (skipped.length) process.stdout.write(`skipped on ${TARGET}: ${skipped.map((c) => `${c.name} (needs ${c.needs})`).join(', ')}\n`);
    expect(failures).toEqual([]);
    expect(runnable.length).toBeGreaterThanOrEqual(cases.length - 3);
  }, 600_000);
});
