/**
 * Every command line shown in the README and docs/RECIPES.md, run as a user would on the
 * embedded server: the fenced shell blocks are parsed, `lakevault` / `npx lakevault` lines
 * (and `npm start`) are run in order in one fresh directory, after a setup that makes what
 * the docs name exist (the table `vendas`, a plain prefix `s3://lake/vendas/`, plan.yaml).
 * A line that needs another server, another tool or data the embedded server cannot hold is
 * skipped with its reason printed; every other line must exit 0 (or the exit code its
 * comment documents). A command renamed or a flag dropped breaks this test, not a reader.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN } from '../support/cli';

jest.setTimeout(900_000);

const ROOT = resolve(__dirname, '..', '..');
const ID = /^\d{8}T\d{6}(\.\d{3})?Z-[0-9a-f]{6}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/;
const DOCUMENTS = ['README.md', 'docs/RECIPES.md'];

/** Lines not run, and why (matched against the whole command line). */
const SKIPS: { pattern: RegExp; reason: string }[] = [
  { pattern: /^(npm (install|ci|test|link|run build)\b|npm install -g)/, reason: 'npm itself (installs, builds or runs the test suite)' },
  { pattern: /^(export|source|docker|minio\/|bash scripts\/rgw\.sh|crontab|\(|cat |kubectl|aws |mc |git )/, reason: 'sets up another server, the shell or another tool' },
  { pattern: /\bS3_ENDPOINT=|AWS_PROFILE=/, reason: 'needs another endpoint (MinIO, AWS or RGW)' },
  { pattern: /--(to|from)-(profile|endpoint)\b/, reason: 'needs an off-site endpoint (an AWS profile or a second server; test/integration/offsite-backup runs these)' },
  { pattern: /--delta-version/, reason: 'needs a Delta table (its transaction log), which the docs do not build' },
  { pattern: /s3:\/\/lake\/eventos\/|s3:\/\/lake-restore\/eventos\//, reason: 'needs the Delta/Hive table s3://lake/eventos/ of another engine' },
  { pattern: /s3:\/\/lake\/events\//, reason: 'needs the Iceberg table s3://lake/events/ of another engine' },
  { pattern: /\/srv\/|\/var\//, reason: 'paths of a server installation (/srv, /var)' },
  { pattern: /\|/, reason: 'pipes into another tool' },
];

interface DocLine {
  document: string;
  line: number;
  text: string;
  /** Whether the block it is in configures another server. */
  otherServer: boolean;
}

/** The command lines of a document's fenced shell blocks: comments removed, continuations joined, heredoc bodies left out. */
function commandLines(document: string): DocLine[] {
  const text = readFileSync(join(ROOT, document), 'utf8');
  const lines = text.split('\n');
  const found: DocLine[] = [];
  let inBlock = false;
  let block: DocLine[] = [];
  let heredoc: string | undefined;
  let pending: { line: number; text: string } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (!inBlock) {
      if (/^```(bash|sh|shell|console)\s*$/.test(raw)) { inBlock = true; block = []; }
      continue;
    }
    if (/^```\s*$/.test(raw)) {
      inBlock = false;
      const otherServer = block.some((l) => /S3_ENDPOINT|source \/tmp\/lakevault-rgw|docker compose/.test(l.text));
      found.push(...block.map((l) => ({ ...l, otherServer })));
      continue;
    }
    if (heredoc !== undefined) { if (raw.trim() === heredoc) heredoc = undefined; continue; }
    const here = /<<-?\s*'?(\w+)'?/.exec(raw);
    if (here) heredoc = here[1];
    const withoutComment = stripComment(raw).trimEnd();
    const joined = pending ? `${pending.text} ${withoutComment.trim()}` : withoutComment.trim();
    const start = pending?.line ?? index + 1;
    if (joined.endsWith('\\')) { pending = { line: start, text: joined.slice(0, -1).trim() }; continue; }
    pending = undefined;
    if (joined) block.push({ document, line: start, text: joined, otherServer: false });
  }
  return found;
}

/** A line without its `# comment` (a # inside quotes stays). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") { quote = c; continue; }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Shell words of a simple command line (quotes removed). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The lakevault arguments a line runs, or why it is not run. */
function plan(line: DocLine): { args: string[] } | { skip: string } {
  if (line.otherServer) return { skip: 'its block configures another server (MinIO, AWS or RGW)' };
  const rule = SKIPS.find((s) => s.pattern.test(line.text));
  if (rule) return { skip: rule.reason };
  if (/^npm start\b/.test(line.text)) return { args: ['flow'] };
  const command = /^(?:npx )?lakevault(?:\s+(.*))?$/.exec(line.text);
  if (!command) return { skip: 'not a lakevault command' };
  if (/[$`<>]/.test(command[1] ?? '') && !/<backup-id>/.test(command[1] ?? '')) return { skip: 'shell substitution or redirection' };
  return { args: words(command[1] ?? '') };
}

describe('the command lines of the README and docs/RECIPES.md run on the embedded server', () => {
  const home = mkdtempSync(join(tmpdir(), 'lakevault-docs-'));
  const env = { PATH: process.env.PATH, HOME: home, LAKEVAULT_HOME: join(home, '.lakevault') };
  const lakevault = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: home, env, encoding: 'utf8', timeout: 300_000 });

  /** The newest backup's id (of the table `vendas` when asked): what `<backup-id>` and the docs' example ids stand for. */
  function newestBackup(ofTable?: string): string {
    const listed = JSON.parse(lakevault(['--json', 'backup', 'list', ...(ofTable ? [ofTable] : [])]).stdout) as { backups: { id: string; state: string }[] };
    const ids = listed.backups.filter((b) => b.state === 'complete').map((b) => b.id).sort();
    return ids[ids.length - 1]!;
  }

  beforeAll(() => {
    for (const args of [
      ['table', 'create', 'vendas', '--rows', '20000', '--rows-per-file', '5000'],
      ['copy', 's3://lake/warehouse/vendas/data/', 's3://lake/vendas/'],
      ['backup', 'create', 'vendas'],
    ]) expect(lakevault(args).status).toBe(0);
    writeFileSync(join(home, 'plan.yaml'), 'version: 1\nname: docs\ntables:\n  - table: vendas\n    backup: { every: 1d, retention: { keep-last: 3 } }\n');
  });

  it('every line runs (exit 0) or is skipped with its reason', () => {
    const lines = DOCUMENTS.flatMap(commandLines);
    expect(lines.length).toBeGreaterThan(10);
    const ran: string[] = [];
    const skipped: string[] = [];
    const failures: string[] = [];
    for (const line of lines) {
      const decided = plan(line);
      const where = `${line.document}:${line.line}: ${line.text}`;
      if ('skip' in decided) { skipped.push(`${where}\n    skipped: ${decided.skip}`); continue; }
      // Placeholders and example ids stand for this run's backups; an example time for now (the docs' data is younger than their dates).
      const args = decided.args.map((a) => (a === '<backup-id>' ? newestBackup()
        : ID.test(a) ? newestBackup('vendas')
        : TIME.test(a) ? new Date().toISOString() : a));
      const result = lakevault(args);
      ran.push(where);
      // The audit exits 1 on findings at or above --fail-on (docs/AUDIT.md): the embedded server has no encryption or policies.
      const allowed = args[0] === 'audit' || args[0] === 'doctor' ? [0, 1] : [0];
      if (!allowed.includes(result.status ?? -1)) failures.push(`${where}\n    exit ${result.status}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    }
    process.stdout.write(`docs commands: ${ran.length} run, ${skipped.length} skipped\n${skipped.join('\n')}\n`);
    expect(failures).toEqual([]);
    expect(ran.length).toBeGreaterThan(5);
  });
});
