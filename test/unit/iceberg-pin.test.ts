/**
 * The metadata a backup of one snapshot restores: that snapshot alone, current, `main` on
 * it, refs elsewhere dropped, and everything else exactly as written (64-bit ids kept).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LosslessNumber } from 'lossless-json';
import { metadataBytes, parseMetadataBytes, pinToSnapshot, readTableMetadata } from '../../src/lake/iceberg';
import { fixtureFolder } from '../support/iceberg-fixtures';

const V5 = join(fixtureFolder('iceberg-spark-bunnies'), 'metadata/v5.metadata.json');

describe('pinToSnapshot', () => {
  it('keeps one snapshot, makes it current, points main at it; refs to other snapshots and their log entries go', () => {
    const document = parseMetadataBytes(readFileSync(V5), 'v5');
    // A tag on the pinned snapshot stays; a branch on another snapshot goes.
    (document.json['refs'] as Record<string, unknown>)['v1'] = { 'snapshot-id': new LosslessNumber('7505300640432048841'), type: 'tag' };
    (document.json['refs'] as Record<string, unknown>)['audit'] = { 'snapshot-id': new LosslessNumber('469881615898633426'), type: 'branch' };
    const pinned = pinToSnapshot(document, 7505300640432048841n, (path) => path.endsWith('v3.metadata.json'));
    const metadata = readTableMetadata(parseMetadataBytes(metadataBytes(pinned), 'pinned'), 'pinned');
    expect(metadata.snapshots.map((s) => s.snapshotId)).toEqual([7505300640432048841n]);
    expect(metadata.currentSnapshotId).toBe(7505300640432048841n);
    expect([...metadata.refs].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'main', type: 'branch', snapshotId: 7505300640432048841n },
      { name: 'v1', type: 'tag', snapshotId: 7505300640432048841n },
    ]);
    expect(metadata.metadataLog.map((e) => e.metadataFile)).toEqual(['s3a://hyperparam-iceberg/spark/bunnies/metadata/v3.metadata.json']);
    expect(pinned.json['snapshot-log']).toEqual([expect.objectContaining({ 'snapshot-id': new LosslessNumber('7505300640432048841') })]);
    // Everything else as written.
    const original = readTableMetadata(document, 'v5');
    expect([metadata.schemas, metadata.partitionSpecs, metadata.properties, metadata.location, metadata.lastSequenceNumber]).toEqual([original.schemas, original.partitionSpecs, original.properties, original.location, original.lastSequenceNumber]);
    // The input is not changed.
    expect(readTableMetadata(document, 'v5').snapshots).toHaveLength(3);
  });

  it('a snapshot the metadata does not have is an error', () => {
    expect(() => pinToSnapshot(parseMetadataBytes(readFileSync(V5), 'v5'), 42n, () => true)).toThrow('Iceberg metadata has no snapshot 42 to pin');
  });
});
