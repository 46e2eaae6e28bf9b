/**
 * Published report schemas keep every earlier version readable: the build writes only the
 * current version's directory and refuses to go on when an earlier one is gone.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitSchemas, jsonSchemas } from '../../src/api/build/schemas';
import { SCHEMA_VERSION } from '../../src/api/report';
import { reportSchemas, SCHEMA_DIRECTORY } from '../../src/api/schemas/index';

describe('versioned schema directories', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'lakevault-schemas-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('the current version is published under schemas/v<SCHEMA_VERSION>, with ids that say so', () => {
    expect(SCHEMA_DIRECTORY).toBe(`schemas/v${SCHEMA_VERSION}`);
    for (const [name, schema] of jsonSchemas()) {
      expect((schema as { $id: string }).$id).toBe(`https://lakevault.dev/schemas/v${SCHEMA_VERSION}/${name}.json`);
    }
  });

  it('a new version is written beside the earlier one, which stays byte for byte as it was', () => {
    expect(emitSchemas(root, false, 1)).toEqual([]);
    const v1 = join(root, 'schemas', 'v1');
    // What an earlier release published, as a later build finds it (a field since removed).
    writeFileSync(join(v1, 'copy.json'), '{"title":"as published by an earlier release"}\n');
    const before = new Map(readdirSync(v1).map((file) => [file, readFileSync(join(v1, file), 'utf8')]));

    expect(emitSchemas(root, false, 2)).toEqual([]);

    expect(new Map(readdirSync(v1).map((file) => [file, readFileSync(join(v1, file), 'utf8')]))).toEqual(before);
    expect(readdirSync(join(root, 'schemas', 'v2')).sort()).toEqual([...jsonSchemas(2).keys()].map((name) => `${name}.json`).sort());
    expect([...jsonSchemas(2).keys()]).toEqual(expect.arrayContaining(Object.keys(reportSchemas)));
    expect(JSON.parse(readFileSync(join(root, 'schemas', 'v2', 'copy.json'), 'utf8')).$id).toBe('https://lakevault.dev/schemas/v2/copy.json');
    expect(emitSchemas(root, true, 2)).toEqual([]);
  });

  it('a build or a check of version 2 fails when version 1\'s directory is gone', () => {
    emitSchemas(root, false, 2);
    expect(emitSchemas(root, true, 2)).toEqual([expect.stringContaining(join('schemas', 'v1'))]);
    expect(emitSchemas(root, false, 2)).toEqual([expect.stringContaining(join('schemas', 'v1'))]);
  });

  it('the check names a current-version file that differs from what the zod schemas produce', () => {
    emitSchemas(root, false, 1);
    writeFileSync(join(root, 'schemas', 'v1', 'drill.json'), '{}\n');
    expect(emitSchemas(root, true, 1)).toEqual([join(root, 'schemas', 'v1', 'drill.json')]);
  });
});
