import { UsageError } from '../errors';
import type { IcebergChoice } from '../lake/describe';

export interface IcebergFlags {
  icebergSnapshot?: string;
  ref?: string;
  metadataLocation?: string;
  icebergHistory?: boolean;
}

/** The Iceberg snapshot flags, checked before any request: ids are 64-bit, kept exact as BigInt. */
export function icebergChoice(flags: IcebergFlags): IcebergChoice | undefined {
  if (flags.icebergSnapshot === undefined && flags.ref === undefined && flags.metadataLocation === undefined && !flags.icebergHistory) return undefined;
  if (flags.icebergSnapshot !== undefined && flags.ref !== undefined) throw new UsageError('--iceberg-snapshot and --ref each choose a snapshot: give one');
  if (flags.icebergHistory && (flags.icebergSnapshot !== undefined || flags.ref !== undefined)) throw new UsageError('--iceberg-history backs up every snapshot: it does not go with --iceberg-snapshot or --ref');
  if (flags.icebergSnapshot !== undefined && !/^-?\d{1,19}$/.test(flags.icebergSnapshot)) throw new UsageError(`--iceberg-snapshot: "${flags.icebergSnapshot}" is not a snapshot id (a 64-bit integer)`);
  return {
    ...(flags.icebergSnapshot !== undefined ? { snapshotId: BigInt(flags.icebergSnapshot) } : {}),
    ...(flags.ref !== undefined ? { ref: flags.ref } : {}),
    ...(flags.metadataLocation !== undefined ? { metadataLocation: flags.metadataLocation } : {}),
    ...(flags.icebergHistory ? { history: true } : {}),
  };
}
