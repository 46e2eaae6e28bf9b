import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { OpenStore } from '../../src/store/open';
import { runLakevault, targetEnv, type CliRun } from '../support/cli';
import { corpusDir, corpusFiles } from '../support/parquet-corpus';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';

/*
 * The validator against the world's Parquet: every file of the Apache Parquet project's
 * test corpus (apache/parquet-testing data/ and bad_data/) is validated at the full level
 * by the CLI, each in a process of its own whose peak memory the report gives. What each
 * file must give is the table in docs/VALIDATION.md ("The Parquet test corpus"): the reader
 * that read it, its rows, its pages with a CRC32, its digested columns — or the line it is
 * refused with. DuckDB counts the rows of every file validated, independently.
 */
const BUDGET_MB = 600; // the default
const dir = corpusDir();

interface DocumentedRow {
  file: string;
  readBy: string;
  rows: string;
  pages: string;
  digested: string;
  outcome: string;
}

/** The corpus table of docs/VALIDATION.md, by file. */
function documentedTable(): Map<string, DocumentedRow> {
  const doc = readFileSync(resolve(__dirname, '../../docs/VALIDATION.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The Parquet test corpus'));
  const rows = new Map<string, DocumentedRow>();
  for (const line of section.split('\n')) {
    const cells = line.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, '').trim());
    const file = /^`((?:data|bad_data)\/[^`]+\.parquet)`$/.exec(cells[0] ?? '')?.[1];
    if (!file) continue;
    rows.set(file, { file, readBy: cells[1]!, rows: cells[2]!, pages: cells[3]!, digested: cells[4]!, outcome: cells[5]! });
  }
  return rows;
}

/** A validation's outcome in the table's words. */
function observed(file: string, run: CliRun): DocumentedRow {
  const report = run.json;
  const subject = report?.subjects?.[0];
  if (report?.ok === true) {
    const readers = Object.keys(subject.readers ?? {});
    return {
      file, readBy: readers.join(', '), rows: String(subject.rows),
      pages: `${subject.pages.checksummed} of ${subject.pages.pages}`,
      digested: String(Object.keys(subject.columnDigests ?? {}).length),
      outcome: 'validates',
    };
  }
  const errors = (report?.fileErrors ?? []).map((error: { error: string }) => error.error);
  return { file, readBy: '—', rows: '—', pages: '—', digested: '—', outcome: `refused: ${errors.join(' / ') || run.stderr.trim()}` };
}

describe(`the Parquet test corpus, validated at the full level (${TARGET})`, () => {
  jest.setTimeout(900_000);
  let open: OpenStore;
  const bucket = uniqueBucket('corpus');
  const files = corpusFiles(dir);
  const documented = documentedTable();
  const keyOf = (file: string) => `corpus/${file}/part.parquet`;
  const runs = new Map<string, CliRun>();

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    for (const file of files) await open.store.put(bucket, keyOf(file), readFileSync(join(dir, file)));
    // Each file in a process of its own (two at a time): its peak memory is its own.
    const queue = [...files];
    await Promise.all([0, 1].map(async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        runs.set(file, await runLakevault(['validate', `s3://${bucket}/corpus/${file}/`, '--level', 'full', '--json', '--workers', '1'], { env: targetEnv() }));
      }
    }));
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('documents every file of the corpus, and only those', () => {
    expect([...documented.keys()].sort()).toEqual(files);
  });

  it('gives each file what docs/VALIDATION.md says: reader, rows, checksummed pages, digested columns, or the line it is refused with', () => {
    for (const file of files) {
      const run = runs.get(file)!;
      const expected = documented.get(file)!;
      const actual = observed(file, run);
      if (expected.outcome === 'validates') {
        expect(actual).toEqual(expected);
        expect(run.code).toBe(0);
        continue;
      }
      // A refusal: exit 1, one file error of one line, containing the documented words.
      const words = /`([^`]+)`/.exec(expected.outcome)?.[1];
      expect({ file, code: run.code, fileErrors: run.json?.fileErrors?.length }).toEqual({ file, code: 1, fileErrors: 1 });
      const error: string = run.json.fileErrors[0].error;
      expect(error).not.toContain('\n');
      expect({ file, error: error.includes(words ?? '(no words documented)') ? 'as documented' : error }).toEqual({ file, error: 'as documented' });
    }
  });

  it('verifies page checksums: both corrupt-checksum files are refused naming column and page', () => {
    for (const [file, column] of [['data/datapage_v1-corrupt-checksum.parquet', 'a'], ['data/rle-dict-uncompressed-corrupt-checksum.parquet', 'long_field']] as const) {
      const error: string = runs.get(file)!.json.fileErrors[0].error;
      expect(error).toMatch(new RegExp(`^row group 0 column "${column}" page \\d+ \\(byte \\d+\\): CRC32 mismatch`));
    }
    // Their intact twins validate, every page's CRC verified.
    expect(runs.get('data/datapage_v1-uncompressed-checksum.parquet')!.json.subjects[0].pages).toEqual({ pages: 4, checksummed: 4 });
  });

  it('reads at the quick level too a footer parquet-wasm cannot read (through hyparquet)', async () => {
    const run = await runLakevault(['validate', `s3://${bucket}/corpus/data/dict-page-offset-zero.parquet/`, '--json'], { env: targetEnv() });
    expect({ code: run.code, ok: run.json?.ok, rows: run.json?.subjects?.[0]?.rows, fileErrors: run.json?.fileErrors }).toEqual({ code: 0, ok: true, rows: 39, fileErrors: [] });
  });

  it('keeps every file within the memory budget (peak RSS of each CLI process)', () => {
    const peaks = files.map((file) => ({ file, peakRssMb: runs.get(file)!.json?.memory?.peakRssMb as number }));
    for (const peak of peaks) expect(peak.peakRssMb).toBeGreaterThan(0);
    expect(peaks.filter((peak) => peak.peakRssMb > BUDGET_MB)).toEqual([]);
    process.stdout.write(`parquet corpus: peak RSS per file ${Math.min(...peaks.map((p) => p.peakRssMb))}–${Math.max(...peaks.map((p) => p.peakRssMb))} MB (budget ${BUDGET_MB} MB)\n`);
  });

  it('validates the whole corpus in one process within the budget, refusing exactly the documented files', async () => {
    const run = await runLakevault(['validate', `s3://${bucket}/corpus/`, '--level', 'full', '--json'], { env: targetEnv() });
    expect(run.code).toBe(1);
    const refused = [...documented.values()].filter((row) => row.outcome !== 'validates').map((row) => keyOf(row.file).slice('corpus/'.length)).sort();
    expect(run.json.fileErrors.map((error: { file: string }) => error.file).sort()).toEqual(refused);
    expect(run.json.memory.peakRssMb).toBeLessThanOrEqual(BUDGET_MB);
    process.stdout.write(`parquet corpus: whole corpus in one process, peak RSS ${run.json.memory.peakRssMb} MB (budget ${BUDGET_MB} MB)\n`);
  });

  it('counts the rows DuckDB counts, for every file it validates that DuckDB reads', async () => {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const unreadable: string[] = [];
    for (const [file, run] of runs) {
      if (run.json?.ok !== true) continue;
      const counted = await db.runAndReadAll(`select count(*) from read_parquet('${join(dir, file).replace(/'/g, "''")}')`).catch(() => undefined);
      if (!counted) { unreadable.push(file); continue; }
      expect({ file, rows: Number(counted.getRows()[0]![0]) }).toEqual({ file, rows: run.json.subjects[0].rows });
    }
    // DuckDB refuses a MAP whose entries have no value column; the other readers read it.
    expect(unreadable).toEqual(['data/map_no_value.parquet']);
  });
});
