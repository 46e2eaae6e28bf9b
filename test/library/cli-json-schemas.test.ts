/**
 * Every CLI command's --json document validates against the JSON Schema published in
 * schemas/v1/ (loaded from the file, as a pipeline would), and holds no field the schema
 * does not document. Runs the real CLI (dist/) against the suite's S3 target.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { buildProgram } from '../../src/cli/main';
import { inputSchemas, reportSchemas, SCHEMA_DIRECTORY, type ReportName } from '../../src/api/schemas/index';
import { jsonSchemas } from '../../src/api/build/schemas';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, removeBucket, uniqueBucket } from '../support/target';

const ROOT = resolve(__dirname, '..', '..');
/** Commands whose output is not a report of their own: `flow` prints the seed's summary. */
const NOT_REPORTS = new Set(['flow']);

function published(name: ReportName): z.ZodType {
  const json = JSON.parse(readFileSync(join(ROOT, SCHEMA_DIRECTORY, `${name}.json`), 'utf8')) as Parameters<typeof z.fromJSONSchema>[0];
  return z.fromJSONSchema(json);
}

/** Leaf commands of the CLI, as schema names: `backup create` → backup-create. */
function leafCommands(command: Command, path: string[] = []): string[] {
  if (command.commands.length === 0) return [path.join('-')];
  return command.commands.flatMap((sub) => leafCommands(sub, [...path, sub.name()]));
}

describe('CLI --json output against the published schemas', () => {
  const bucket = uniqueBucket('cli-schemas');
  const env = {
    ...targetEnv(),
    LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse`,
    LAKEVAULT_BACKUPS: `s3://${bucket}/backups`,
    LAKEVAULT_CHECKPOINTS: `s3://${bucket}/checkpoints`,
  };
  const checked = new Set<string>();

  afterAll(async () => {
    const open = await openTestStore();
    try { await removeBucket(open, bucket); } finally { await open.close(); }
  });

  /** Runs `lakevault <args> --json`; returns the parsed document after checking it against `name`'s schema. */
  async function cli(name: ReportName, args: string[], exitCodes: number[] = [0]): Promise<Record<string, unknown>> {
    const result = await runLakevault([...args, '--json'], { env });
    if (result.code === null || !exitCodes.includes(result.code)) throw new Error(`lakevault ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    const check = published(name).safeParse(document);
    if (!check.success) throw new Error(`lakevault ${args.join(' ')} --json does not match schemas/v1/${name}.json: ${JSON.stringify(check.error.issues.slice(0, 5))}`);
    // Nothing undocumented: the zod source schema strips unknown keys, so parsing must give the document back.
    expect(reportSchemas[name].parse(document)).toEqual(document);
    expect(document.schemaVersion).toBe(1);
    checked.add(name);
    return document;
  }

  it('every command of a full session validates', async () => {
    await cli('table-create', ['table', 'create', 'vendas', '--rows', '3000', '--rows-per-file', '1000']);
    await cli('table-inspect', ['table', 'inspect', 'vendas']);
    await cli('table-list', ['table', 'list']);
    await cli('table-compact', ['table', 'compact', 'vendas', '--target-rows', '3000']);
    await cli('copy', ['copy', `s3://${bucket}/warehouse/vendas/`, `s3://${bucket}/copies/vendas/`]);
    const backup = await cli('backup-create', ['backup', 'create', 'vendas', '--name', 'first', '--tag', 'weekly,first']);
    await cli('backup-list', ['backup', 'list']);
    await cli('backup-show', ['backup', 'show', String(backup.id)]);
    await cli('backup-copy', ['backup', 'copy', String(backup.id), '--to', `s3://${bucket}/backups-copy`]);
    await cli('backup-restore', ['backup', 'restore', String(backup.id), '--to', 'restored']);
    const batchPlan = join(mkdtempSync(join(tmpdir(), 'lakevault-schemas-')), 'plan.csv');
    await cli('backup-plan', ['backup', 'plan', String(backup.id), '--format', 's3-batch-csv', '--output', batchPlan]);
    // Nothing was copied there: the verification's report names every file as missing (exit 1).
    expect(await cli('backup-plan-verify', ['backup', 'plan-verify', String(backup.id), '--destination', `s3://${bucket}/nowhere/`], [1])).toMatchObject({ ok: false, verified: 0 });
    await cli('table-history', ['table', 'history', 'vendas']);
    const asOf = await cli('table-restore', ['table', 'restore', 'vendas', '--as-of', String(backup.id), '--to', 'as-of']);
    expect(asOf).toMatchObject({ ok: true, restore: { mode: 'new' } });
    await cli('validate', ['validate', 'vendas', 'restored', '--level', 'full']);
    await cli('diff', ['diff', 'vendas', 'restored', '--out', `s3://${bucket}/changes/`]);
    await cli('checkpoint-create', ['checkpoint', 'create', 'vendas']);
    await cli('checkpoint-list', ['checkpoint', 'list', 'vendas']);
    await cli('checkpoint-list', ['checkpoint', 'list']);
    const spare = await cli('checkpoint-create', ['checkpoint', 'create', 'vendas', '--name', 'spare']);
    await cli('checkpoint-delete', ['checkpoint', 'delete', 'spare']);
    expect(spare.id).toBeDefined();
    await cli('checkpoint-prune', ['checkpoint', 'prune', 'vendas', '--keep-last', '1', '--dry-run']);
    await cli('repo-upgrade', ['repo', 'upgrade', 'backups', '--dry-run']);
    await cli('recover', ['recover', 'vendas', '--latest']);
    await cli('drill', ['drill', 'vendas', '--level', 'quick']);
    const second = await cli('backup-create', ['backup', 'create', 'vendas']);
    const pruned = await cli('backup-prune', ['backup', 'prune', 'vendas', '--keep-last', '1', '--keep-tag', 'weekly,none']);
    expect(pruned).toMatchObject({ kept: 1, removed: 1, policy: { last: 1, tags: [['weekly', 'none']] } });
    expect(pruned.decisions).toContainEqual(expect.objectContaining({ id: backup.id, tags: ['weekly', 'first'], action: 'remove' }));
    await cli('backup-delete', ['backup', 'delete', String(second.id)]);
    await cli('table-drop', ['table', 'drop', 'restored']);
    // A finding at or above --fail-on exits 1 with the report printed: still a report.
    await cli('audit', ['audit', '--fail-on', 'critical'], [0, 1]);
    await cli('audit-checks', ['audit', '--list-checks']);
    await cli('doctor', ['doctor'], [0, 1]);
    await cli('validate-cycle', ['validate', `s3://${bucket}/backups/`, '--cycle', '--slices', '2']);
    const plan = join(mkdtempSync(join(tmpdir(), 'lakevault-schemas-')), 'plan.yaml');
    writeFileSync(plan, 'version: 1\nname: schemas\ntables:\n  - table: vendas\n    backup: { every: 1d, retention: { keep-last: 2 } }\n    verify: { every: 1d, slices: 3 }\n');
    await cli('plan-check', ['plan', 'check', plan]);
    await cli('plan-run', ['plan', 'run', plan, '--dry-run']);
    await cli('plan-run', ['plan', 'run', plan]);
    writeFileSync(plan, 'version: 1\nname: schemas\ntables: []\n');
    expect(await cli('plan-check', ['plan', 'check', plan], [2])).toMatchObject({ ok: false, errors: [{ line: 3, field: 'tables' }] });
    await cli('report', ['report']);
    const failure = await cli('error', ['backup', 'show', '20200101T000000Z-000000'], [1]);
    expect(failure).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await cli('version', ['--version']);
    const usage = await cli('error', ['table', 'create', 'x', '--rows', 'many'], [2]);
    expect(usage).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  }, 900_000);

  it('the published files are what the zod schemas generate (schemas/ is not stale)', () => {
    const generated = jsonSchemas();
    expect(generated.size).toBe(Object.keys(reportSchemas).length + Object.keys(inputSchemas).length);
    for (const [name, schema] of generated) {
      expect(JSON.parse(readFileSync(join(ROOT, SCHEMA_DIRECTORY, `${name}.json`), 'utf8'))).toEqual(schema);
    }
  });

  it('every command of the CLI has a published schema, and each was checked above', () => {
    const commands = leafCommands(buildProgram()).filter((name) => !NOT_REPORTS.has(name));
    const names = new Set(Object.keys(reportSchemas));
    expect(commands.filter((name) => !names.has(name))).toEqual([]);
    expect([...names].filter((name) => !checked.has(name))).toEqual([]);
  });
});
