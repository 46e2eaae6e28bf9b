/**
 * With the real pieces: metrics written for node_exporter pass `promtool check metrics`, go
 * through a real Pushgateway (started here) and are scraped back; the alert rules of
 * docs/prometheus pass `promtool check rules` and their unit tests; the HTML report renders in
 * headless Chromium with the numbers the JSON reports give. Each part is skipped, saying
 * why, when its Debian package is missing (scripts/ops-tools.sh installs them; CI runs it).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { Lakevault } from '../../src/api/client';
import { createTestBucket, type TestBucket } from '../../src/testing';
import { runLakevault, targetEnv } from '../support/cli';
import { TARGET } from '../support/target';

jest.setTimeout(600_000);
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const CHROMIUM = '/usr/bin/chromium';

/** `it` when the tool is installed; otherwise a skipped test that says so. */
function itWithTool(tool: string): jest.It {
  if (has(tool)) return it;
  return ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    process.stdout.write(`skipped: "${name}" needs ${tool} (bash scripts/ops-tools.sh installs it)\n`);
    return it.skip(`${name} [skipped: ${tool} is not installed]`, fn, timeout);
  }) as unknown as jest.It;
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
    server.on('error', reject);
  });
}

describe(`metrics and the report on ${TARGET}`, () => {
  let setup: Lakevault;
  let bucket: TestBucket;
  let env: Record<string, string>;
  let drill: { rto_ms: number; rpo_ms: number };
  const work = mkdtempSync(join(tmpdir(), 'lakevault-ops-'));

  beforeAll(async () => {
    setup = await Lakevault.open();
    bucket = await createTestBucket(setup, 'metrics');
    env = { ...targetEnv(), LAKEVAULT_WAREHOUSE: bucket.uri('warehouse'), LAKEVAULT_BACKUPS: bucket.uri('backups'), LAKEVAULT_CHECKPOINTS: bucket.uri('checkpoints') };
    const cli = async (...args: string[]) => {
      const result = await runLakevault([...args, '--json'], { env });
      if (result.code !== 0) throw new Error(`lakevault ${args.join(' ')}: ${result.stderr}`);
      return result.json;
    };
    await cli('table', 'create', 'vendas', '--rows', '4000', '--rows-per-file', '1000');
    await cli('backup', 'create', 'vendas');
    await cli('backup', 'create', 'vendas');
    await cli('table', 'create', 'eventos', '--rows', '2000', '--rows-per-file', '1000');
    await cli('backup', 'create', 'eventos');
    drill = await cli('drill', 'vendas', '--disaster', 'delete-objects');
    await cli('validate', bucket.uri('backups'), '--cycle', '--slices', '2');
    await cli('audit', '--fail-on', 'critical');
  });
  afterAll(async () => {
    await bucket?.remove();
    await setup?.close();
  });

  itWithTool('promtool')('--metrics-textfile writes lakevault.prom atomically; promtool check metrics passes; the values are the reports\'', async () => {
    const dir = join(work, 'textfile');
    const result = await runLakevault(['backup', 'list', '--metrics-textfile', dir], { env });
    expect(result.code).toBe(0);
    const text = readFileSync(join(dir, 'lakevault.prom'), 'utf8');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
    expect(text).toMatch(/^lakevault_backup_last_success_timestamp_seconds\{table="vendas"\} \d+/m);
    expect(text).toMatch(/^lakevault_backup_runs\{table="vendas",result="success"\} 2$/m);
    expect(text).toContain(`lakevault_drill_rto_seconds{table="vendas"} ${drill.rto_ms / 1000}\n`);
    expect(text).toContain(`lakevault_drill_success{table="vendas"} 1\n`);
    expect(text).toMatch(/^lakevault_validation_success\{table="",subject="s3:\/\/[^"]+\/backups\/"\} 1$/m);
    expect(text).toMatch(/^lakevault_audit_findings\{severity="critical"\} 0$/m);
    expect(text).not.toMatch(/\d{8}T\d{6}/); // no snapshot ids anywhere, labels included
  });

  itWithTool('prometheus-pushgateway')('--metrics-push replaces the job\'s metrics on a real Pushgateway, scraped back', async () => {
    const port = await freePort();
    const gateway: ChildProcess = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(work, 'pushgateway.db')}`], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100 && !(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)); i += 1) await new Promise((r) => setTimeout(r, 100));
      const result = await runLakevault(['checkpoint', 'create', 'eventos', '--metrics-push', url], { env });
      expect(result.code).toBe(0);
      const scraped = await (await fetch(`${url}/metrics`)).text();
      expect(scraped).toMatch(/^lakevault_checkpoint_success\{instance="[^"]+",job="lakevault",table="eventos"\} 1$/m);
      expect(scraped).toMatch(/^lakevault_backup_last_success_timestamp_seconds\{instance="[^"]+",job="lakevault",table="vendas"\} [\d.e+]+$/m);
      if (has('promtool')) {
        const lakevaultOnly = scraped.split('\n\n').filter((block) => block.includes('lakevault_')).join('\n\n');
        expect(spawnSync('promtool', ['check', 'metrics'], { input: lakevaultOnly + '\n', encoding: 'utf8' }).status).toBe(0);
      }
      // An unreachable gateway fails the command (exit 1) after its own result was printed.
      const down = await runLakevault(['backup', 'list', '--metrics-push', `http://127.0.0.1:${await freePort()}`], { env });
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^lakevault: error: metrics not published: /m);
      const bad = await runLakevault(['backup', 'list', '--metrics-push', 'ftp://x'], { env });
      expect(bad.code).toBe(2);
    } finally {
      gateway.kill();
    }
  });

  itWithTool('promtool')('the alert rules of docs/prometheus pass promtool check rules and their unit tests', async () => {
    const dir = join(ROOT, 'docs/prometheus');
    await expect(run('promtool', ['check', 'rules', join(dir, 'lakevault-alerts.yml')])).resolves.toBeDefined();
    await expect(run('promtool', ['test', 'rules', 'lakevault-alerts.test.yml'], { cwd: dir })).resolves.toBeDefined();
  });

  itWithTool('chromium')('report --html renders in headless Chromium with the numbers of the JSON reports; a screenshot is saved', async () => {
    const html = join(work, 'report.html');
    const result = await runLakevault(['report', '--html', html, '--format', 'json'], { env });
    expect(result.code).toBe(0);
    const data = result.json;
    const backups = (await runLakevault(['backup', 'list', '--json'], { env })).json.backups.filter((b: { state: string }) => b.state === 'complete');
    expect(data.totals.backups).toBe(backups.length);
    expect(readFileSync(html, 'utf8')).not.toMatch(/(src|href)=["']?https?:/); // nothing to fetch at view time

    // A fresh profile, and no background traffic: this machine's closed network refuses it.
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'lakevault-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
      await page.goto(`file://${html}`);
      const value = (selector: string) => page.locator(selector).first().getAttribute('data-value');
      expect(Number(await value('[data-field="total-backups"]'))).toBe(backups.length);
      expect(Number(await value('tr[data-table="vendas"] [data-field="backups"]'))).toBe(backups.filter((b: { table: string }) => b.table === 'vendas').length);
      expect(Number(await value('tr[data-table="vendas"] [data-field="rto"]'))).toBe(drill.rto_ms / 1000);
      expect(Number(await value('tr[data-table="vendas"] [data-field="rpo"]'))).toBe(drill.rpo_ms / 1000);
      expect(await page.locator('tr[data-table="vendas"] [data-field="status"]').textContent()).toBe('protected');
      const today = data.backupsByDay[data.backupsByDay.length - 1];
      expect(Number(await value(`tr[data-day="${today.day}"] [data-field="count"]`))).toBe(today.count);
      expect(Number(await value(`tr[data-day="${today.day}"] [data-field="reused"]`))).toBe(today.reusedBytes);
      expect(Number(await value(`[data-subject="${bucket.uri('backups')}"] [data-field="coverage"]`))).toBe(data.cycles[0].coverage);
      expect(Number(await value('[data-severity="critical"]'))).toBe(data.audits[data.audits.length - 1].critical);
      expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(4);
      expect(requests).toEqual([]);
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', `report-${TARGET}.png`), fullPage: true });
    } finally {
      await browser.close();
    }
    writeFileSync(join(ROOT, 'test-artifacts', `report-${TARGET}.json`), JSON.stringify(data, null, 2));
  });
});
