import { NotFoundError, UsageError } from '../../src/errors';
import { parseAsOf, pointAsOf } from '../../src/timeline/as-of';
import type { HeldPoint, TableHistory } from '../../src/timeline/history';
import type { TableManifest } from '../../src/table/manifest';

const manifest = { generation: 'x' } as TableManifest;

function point(kind: HeldPoint['point']['kind'], id: string, at: string, generation: string, held = true): HeldPoint {
  return {
    point: { kind, id, at, generation, rows: 1, contentDigest: 'bag1:0', restorable: held, ...(held ? {} : { reason: 'a file is no longer held' }), uri: 's3://b/t/' },
    ...(held ? { source: kind === 'version' ? { kind: 'version' as const, manifest, versionIds: new Map() } : { kind: 'table' as const, manifest } } : {}),
  };
}

/** g1 written at 10:00, backed up at 10:30, g2 at 11:00 (a version), dropped at 12:00, g3 at 13:00 (current). */
const history: TableHistory = {
  table: 't', uri: 's3://b/t/', versioning: { bucket: 'b', status: 'Enabled' }, notes: [],
  points: [
    point('current', 'current', '2026-12-08T13:00:00.000Z', 'g3'),
    point('version', 'v2', '2026-12-08T11:00:00.000Z', 'g2'),
    point('backup', 'b1', '2026-12-08T10:30:00.000Z', 'g1'),
    point('version', 'v1', '2026-12-08T10:00:00.000Z', 'g1'),
  ],
  drops: [{ at: '2026-12-08T12:00:00.000Z', versionId: 'd1' }],
};
const at = (time: string) => pointAsOf(history, parseAsOf(time));

describe('--as-of', () => {
  it('parses ISO 8601 times with a zone and dates; refuses a time without a zone; anything else is a point id', () => {
    expect(parseAsOf('2026-12-08T10:15:00Z')).toEqual({ time: new Date('2026-12-08T10:15:00Z'), text: '2026-12-08T10:15:00Z' });
    expect(parseAsOf('2026-12-08T10:15:00.123+02:00')).toEqual({ time: new Date('2026-12-08T08:15:00.123Z'), text: '2026-12-08T10:15:00.123+02:00' });
    expect(parseAsOf('2026-12-08')).toEqual({ time: new Date('2026-12-08T00:00:00Z'), text: '2026-12-08' });
    expect(() => parseAsOf('2026-12-08T10:15:00')).toThrow(UsageError);
    expect(() => parseAsOf('2026-12-08 10:15Z')).toThrow(/with its zone/);
    for (const bad of ['2026-13-45T10:15:00Z', '2026-02-30', '2026-02-29T00:00:00Z', '2026-12-08T24:00:00Z', '2026-12-08T10:60Z']) {
      expect(() => parseAsOf(bad)).toThrow(`--as-of "${bad}" is not a valid time`);
    }
    expect(parseAsOf('2028-02-29T23:59:59Z')).toMatchObject({ time: new Date('2028-02-29T23:59:59Z') });
    expect(() => parseAsOf(' ')).toThrow(UsageError);
    expect(parseAsOf('20261208T101500.000Z-a1b2c3')).toEqual({ point: '20261208T101500.000Z-a1b2c3', text: '20261208T101500.000Z-a1b2c3' });
  });

  it('picks the point in force: the newest at or before the time, held by the table first, then a backup, then versions', () => {
    expect(at('2026-12-08T10:00:00Z').inForce.point.id).toBe('v1');
    // g1 is in force from 10:00; a backup holds it, which is preferred to the versions.
    expect(at('2026-12-08T10:10:00Z').chosen.point.id).toBe('b1');
    expect(at('2026-12-08T10:59:59.999Z').chosen.point.generation).toBe('g1');
    expect(at('2026-12-08T11:00:00Z').chosen.point.id).toBe('v2');
    expect(at('2026-12-08T11:59:59Z').chosen.point.id).toBe('v2');
    expect(at('2026-12-08T13:00:00Z').chosen.point.id).toBe('current');
    expect(at('2030-01-01').chosen.point.id).toBe('current');
  });

  it('a time before every point is a usage error; after a drop and before the next write, not found', () => {
    expect(() => at('2026-12-08T09:59:59Z')).toThrow(UsageError);
    expect(() => at('2026-12-08T09:59:59Z')).toThrow('--as-of 2026-12-08T09:59:59Z predates every point of s3://b/t/: the oldest is version v1 of 2026-12-08T10:00:00.000Z');
    expect(() => at('2026-12-08T12:30:00Z')).toThrow(NotFoundError);
    expect(() => at('2026-12-08T12:30:00Z')).toThrow(/did not exist at 2026-12-08T12:30:00Z: its manifest was deleted at 2026-12-08T12:00:00.000Z \(version d1\)/);
  });

  it('names a point by id; an unknown id is a usage error', () => {
    expect(pointAsOf(history, parseAsOf('b1')).chosen.point.id).toBe('b1');
    // The version v1 holds g1, as b1 does: the backup is read rather than the versions.
    expect(pointAsOf(history, parseAsOf('v1')).chosen.point.id).toBe('b1');
    expect(() => pointAsOf(history, parseAsOf('v9'))).toThrow(/is neither a time .* nor a point of s3:\/\/b\/t\/: `table history t` lists them/);
  });

  it('a generation no point can give back, or only points the command cannot use, is not found with the reason', () => {
    const lost: TableHistory = { ...history, points: [point('current', 'current', '2026-12-08T13:00:00.000Z', 'g3'), point('version', 'v2', '2026-12-08T11:00:00.000Z', 'g2', false)], drops: [] };
    expect(() => pointAsOf(lost, parseAsOf('2026-12-08T11:30:00Z'))).toThrow('generation g2 of s3://b/t/ (version v2 of 2026-12-08T11:00:00.000Z, in force as of 2026-12-08T11:30:00Z) cannot be brought back: a file is no longer held');
    const noVersions = (held: HeldPoint) => (held.source?.kind === 'version' ? 'versions are not read here' : undefined);
    expect(() => pointAsOf(history, parseAsOf('2026-12-08T11:30:00Z'), noVersions)).toThrow(/cannot be brought back: versions are not read here/);
    expect(pointAsOf(history, parseAsOf('2026-12-08T10:15:00Z'), noVersions).chosen.point.id).toBe('b1');
  });
});
