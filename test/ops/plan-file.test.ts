/**
 * Plan files: every error with its line and field, retention under restic's names mapped
 * to the rules applyRetention takes (unchanged), locations that must not overlap, and the
 * due-check that makes a run every few minutes do only what is due.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPlan, type PlanDefaults } from '../../src/plan/load';
import { dueness } from '../../src/plan/due';
import { parseS3Uri } from '../../src/store/location';

const defaults: PlanDefaults = { warehouse: parseS3Uri('s3://lake/warehouse'), backups: parseS3Uri('s3://lake-backups'), checkpoints: parseS3Uri('s3://lake-checkpoints') };
const errorsOf = (text: string) => loadPlan(text, defaults).errors.map((e) => `${e.line}:${e.column} ${e.field}: ${e.message}`);

describe('plan files', () => {
  it('a valid plan: intervals in ms, retention with restic\'s option names as the policy applyRetention takes', () => {
    const { plan, errors } = loadPlan(`version: 1
name: nightly
retry-after: 30m
tables:
  - table: vendas
    backup:
      every: 6h
      tags: [plan, "legal,hold"]
      retention: { keep-last: 3, keep-daily: 7, keep-weekly: unlimited, keep-within-monthly: 1y2m, keep-tag: [legal, [a, b]] }
    checkpoint: { every: daily }
    verify: { every: 1d, max-bytes: 10GiB }
    drill: { every: weekly, rto-target: 90s, rpo-target: 1d }
  - table: s3://other/tables/eventos/
    verify: { every: 12h, slices: 5, level: quick }
audit: { every: 1d12h }
`, defaults);
    expect(errors).toEqual([]);
    expect(plan!.retryAfterMs).toBe(30 * 60_000);
    const vendas = plan!.tables[0]!;
    expect(vendas.backup).toEqual({ everyMs: 6 * 3_600_000, tags: ['plan', 'legal', 'hold'], retention: { last: 3, daily: 7, weekly: -1, withinMonthly: '1y2m', tags: [['legal'], ['a', 'b']] } });
    expect(vendas.checkpoint).toEqual({ everyMs: 86_400_000 });
    expect(vendas.verify).toEqual({ everyMs: 86_400_000, budget: { maxBytes: 10 * 2 ** 30 }, level: 'full' });
    expect(vendas.drill).toMatchObject({ everyMs: 7 * 86_400_000, disaster: 'delete-prefix', level: 'full', scratch: 's3://lake/warehouse/vendas.lakevault-drill/', rtoTargetMs: 90_000, rpoTargetMs: 86_400_000 });
    expect(plan!.tables[1]).toMatchObject({ name: 'eventos', location: { bucket: 'other', prefix: 'tables/eventos/' }, verify: { budget: { slices: 5 }, level: 'quick' } });
    expect(plan!.audit).toEqual({ everyMs: 36 * 3_600_000, failOn: 'high', repository: 'default' });
  });

  it('reports every error with its line, column and field', () => {
    expect(errorsOf(`version: 1
name: nightly
tables:
  - table: vendas
    backup:
      every: 6 hours
      retension: { keep-daily: 7 }
    drill: { every: 1w, disaster: flood }
  - table: ../etc
    backup: { every: 1d, retention: { keep-daily: -2 } }
`)).toEqual([
      expect.stringMatching(/^7:7 tables\[0\]\.backup\.retension: unknown field "retension"$/),
      expect.stringMatching(/^8:35 tables\[0\]\.drill\.disaster: .*delete-prefix/),
      expect.stringMatching(/^10:51 tables\[1\]\.backup\.retention\.keep-daily: /),
    ]);
    // Past the schema: intervals, table names, retention rules.
    expect(errorsOf(`version: 1
name: nightly
tables:
  - table: vendas
    backup:
      every: 6 hours
      retention: { keep-within: 7x }
  - table: ../etc
    checkpoint: { every: 1d }
`)).toEqual([
      '6:7 tables[0].backup.every: every must be an interval such as 30m, 6h, 1d or 1w (at least 1m), got "6 hours"',
      expect.stringMatching(/^7:7 tables\[0\]\.backup\.retention: --keep-within/),
      expect.stringMatching(/^8:5 tables\[1\]\.table: invalid table name "\.\.\/etc"/),
    ]);
  });

  it('YAML syntax errors carry their line', () => {
    const errors = loadPlan('version: 1\nname: x\ntables:\n  - table: [vendas\n', defaults).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(4);
    expect(loadPlan('version: 1\nname: x\nname: y\ntables: []\n', defaults).errors[0]).toMatchObject({ line: 3, message: expect.stringMatching(/unique/i) });
  });

  it('refuses what would be dangerous: a scratch copy over a table, drop-bucket beside the table, the same table twice, a plan that does nothing', () => {
    const errors = errorsOf(`version: 1
name: nightly
tables:
  - table: vendas
    drill: { every: 1w, scratch: s3://lake/warehouse/ }
  - table: s3://lake/warehouse/vendas
    backup: { every: 1d }
  - table: eventos
    drill: { every: 1w, disaster: drop-bucket }
  - table: idle
`);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^6:5 tables\[1\]\.table: the table s3:\/\/lake\/warehouse\/vendas\/ is already in tables\[0\]/),
      expect.stringMatching(/tables\[2\]\.drill\.disaster: drop-bucket deletes the scratch copy's whole bucket/),
      expect.stringMatching(/tables\[3\]\.table: the plan does nothing with this table/),
      expect.stringMatching(/tables\[0\]\.drill\.scratch: the scratch copy s3:\/\/lake\/warehouse\/ overlaps the table s3:\/\/lake\/warehouse\/vendas\//),
    ]));
  });

  it('off-site repositories are named as coming, not as a typo', () => {
    expect(errorsOf(`version: 1
name: nightly
repositories:
  main: { backups: s3://lake-backups }
  offsite: { endpoint: https://dr.example.com, profile: dr, backups: s3://dr-backups }
tables:
  - { table: vendas, repository: main, backup: { every: 1d } }
  - { table: eventos, repository: nowhere, backup: { every: 1d } }
`)).toEqual([
      expect.stringMatching(/^5:14 repositories\.offsite\.endpoint: "endpoint": off-site repositories .* not supported yet/),
      expect.stringMatching(/^5:48 repositories\.offsite\.profile: /),
    ]);
    expect(errorsOf(`version: 1
name: nightly
repositories:
  main: { backups: s3://lake-backups }
  second: { backups: s3://lake-backups-2 }
tables:
  - { table: vendas, backup: { every: 1d } }
  - { table: eventos, repository: nowhere, backup: { every: 1d } }
`)).toEqual([
      expect.stringMatching(/^7:5 tables\[0\]\.repository: name one of the repositories \(main, second\)/),
      expect.stringMatching(/^8:23 tables\[1\]\.repository: no repository "nowhere"/),
    ]);
  });

  it('the published JSON schema accepts the documented example and rejects a typo', () => {
    const schema = z.fromJSONSchema(JSON.parse(readFileSync(join(__dirname, '../../schemas/v1/plan-file.json'), 'utf8')));
    const example = { version: 1, name: 'nightly', tables: [{ table: 'vendas', backup: { every: '6h', retention: { 'keep-daily': 7 } } }] };
    expect(schema.safeParse(example).success).toBe(true);
    expect(schema.safeParse({ ...example, tabels: [] }).success).toBe(false);
  });
});

describe('due-check', () => {
  const hour = 3_600_000;
  const at = (iso: string) => new Date(iso);
  it('never run: due; succeeded within its interval: not due; a cron firing a little early still finds a daily step due', () => {
    expect(dueness(undefined, 24 * hour, hour, at('2026-01-01T00:00:00Z')).due).toBe(true);
    const done = { lastSuccess: '2026-01-01T02:00:05Z' };
    expect(dueness(done, 24 * hour, hour, at('2026-01-01T12:00:00Z')).due).toBe(false);
    expect(dueness(done, 24 * hour, hour, at('2026-01-02T02:00:00Z')).due).toBe(true); // 5 s early: slack
    expect(dueness(done, 24 * hour, hour, at('2026-01-02T01:40:00Z')).due).toBe(false); // 20 min early: not due
  });
  it('a failure after the last success waits retry-after', () => {
    const failed = { lastSuccess: '2026-01-01T00:00:00Z', lastFailure: '2026-01-02T00:00:00Z', lastError: 'boom' };
    expect(dueness(failed, 24 * hour, hour, at('2026-01-02T00:30:00Z'))).toMatchObject({ due: false, reason: expect.stringMatching(/boom/) });
    expect(dueness(failed, 24 * hour, hour, at('2026-01-02T01:00:00Z')).due).toBe(true);
  });
});
