import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Row digests (64 bits: two 32-bit lanes, a and b) gathered from two sides and split
 * into hash partitions by the top bits of lane a. While they fit the memory budget they
 * stay in memory; past it, every partition's keys so far are appended to its own file
 * (one per side and partition) and memory starts again. A partition — both sides of it —
 * is then small enough to compare on its own: equal rows always land in the same one.
 */
export class KeyPartitions {
  readonly count: number;
  private readonly shift: number;
  /** Per side, per partition: full chunks, then the one being filled. */
  private readonly chunks: Int32Array[][][];
  private readonly fill: number[][];
  private held = 0;
  private directory?: string;
  spilledBytes = 0;
  readonly keys: [number, number] = [0, 0];

  /**
   * `partitions` is rounded up to a power of two; `budgetBytes` is what the keys in memory
   * may take before they are written out.
   */
  constructor(partitions: number, private readonly budgetBytes: number) {
    const bits = Math.max(0, Math.min(16, Math.ceil(Math.log2(Math.max(1, partitions)))));
    this.count = 2 ** bits;
    this.shift = 32 - bits;
    this.chunks = [0, 1].map(() => Array.from({ length: this.count }, () => [] as Int32Array[]));
    this.fill = [0, 1].map(() => new Array<number>(this.count).fill(CHUNK));
  }

  /** The partition a key belongs to (by its lane a). */
  partitionOf(a: number): number {
    return this.shift === 32 ? 0 : (a >>> this.shift);
  }

  add(side: 0 | 1, a: Int32Array, b: Int32Array, length = a.length): void {
    const chunks = this.chunks[side]!;
    const fill = this.fill[side]!;
    for (let i = 0; i < length; i++) {
      const p = this.partitionOf(a[i]!);
      let at = fill[p]!;
      const list = chunks[p]!;
      if (at === CHUNK) {
        list.push(new Int32Array(CHUNK * 2));
        this.held += CHUNK * 8;
        at = 0;
      }
      const chunk = list[list.length - 1]!;
      chunk[at * 2] = a[i]!;
      chunk[at * 2 + 1] = b[i]!;
      fill[p] = at + 1;
      if (this.held > this.budgetBytes) this.spill();
    }
    this.keys[side] += length;
  }

  /**
   * Both sides' keys of one partition, as pairs [a0, b0, a1, b1, …], handed over: the
   * partition's memory is let go, so comparing partition after partition never holds more
   * than what is left plus one partition.
   */
  take(partition: number): [Int32Array, Int32Array] {
    return [0, 1].map((side) => {
      const stored = this.directory && this.spilledBytes > 0 ? readSpilled(this.file(side, partition)) : new Int32Array(0);
      const list = this.chunks[side]![partition]!;
      const inMemory = list.length === 0 ? 0 : (list.length - 1) * CHUNK + this.fill[side]![partition]!;
      const out = new Int32Array(stored.length + inMemory * 2);
      out.set(stored, 0);
      let at = stored.length;
      list.forEach((chunk, index) => {
        const pairs = index === list.length - 1 ? this.fill[side]![partition]! : CHUNK;
        out.set(chunk.subarray(0, pairs * 2), at);
        at += pairs * 2;
      });
      this.chunks[side]![partition] = [];
      this.fill[side]![partition] = CHUNK;
      this.held -= list.length * CHUNK * 8;
      return out;
    }) as [Int32Array, Int32Array];
  }

  /** Removes the spill files. */
  close(): void {
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = undefined;
  }

  private spill(): void {
    this.directory ??= mkdtempSync(join(tmpdir(), 'lakevault-diff-'));
    for (const side of [0, 1] as const) {
      for (let p = 0; p < this.count; p++) {
        const list = this.chunks[side]![p]!;
        if (list.length === 0) continue;
        const last = this.fill[side]![p]!;
        const parts = list.map((chunk, index) => (index === list.length - 1 ? chunk.subarray(0, last * 2) : chunk));
        const bytes = Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
        appendFileSync(this.file(side, p), bytes);
        this.spilledBytes += bytes.length;
        this.chunks[side]![p] = [];
        this.fill[side]![p] = CHUNK;
      }
    }
    this.held = 0;
  }

  private file(side: number, partition: number): string {
    return join(this.directory!, `${side}-${partition}.keys`);
  }
}

/** Keys per chunk: 64 KiB each, so a thousand partitions hold little when nearly empty. */
const CHUNK = 8192;

function readSpilled(path: string): Int32Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Int32Array(0);
    throw error;
  }
  const copy = new Int32Array(bytes.length / 4);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

/**
 * The rows of one partition that are on one side and not the other, as a bag (SQL's
 * EXCEPT ALL both ways): a key twice in A and once in B is one removed row. Counted in an
 * open-addressing table of A's keys (lane b picks the slot: lane a's top bits chose the
 * partition, so b's are still spread).
 */
export function bagDifference(a: Int32Array, b: Int32Array): { removed: Int32Array; added: Int32Array } {
  const nA = a.length / 2;
  let bits = 4;
  while (2 ** bits < nA * 2) bits++;
  const size = 2 ** bits;
  const mask = size - 1;
  const laneA = new Int32Array(size);
  const laneB = new Int32Array(size);
  const counts = new Int32Array(size); // 0 = empty slot; else occurrences in A not yet matched, plus one
  const find = (ka: number, kb: number): number => {
    let slot = kb & mask;
    while (counts[slot] !== 0 && (laneA[slot] !== ka || laneB[slot] !== kb)) slot = (slot + 1) & mask;
    return slot;
  };
  for (let i = 0; i < nA; i++) {
    const ka = a[i * 2]!;
    const kb = a[i * 2 + 1]!;
    const slot = find(ka, kb);
    if (counts[slot] === 0) { laneA[slot] = ka; laneB[slot] = kb; counts[slot] = 1; }
    counts[slot]! += 1;
  }
  const added: number[] = [];
  for (let i = 0; i < b.length; i += 2) {
    const ka = b[i]!;
    const kb = b[i + 1]!;
    const slot = find(ka, kb);
    if (counts[slot]! > 1) counts[slot]! -= 1;
    else added.push(ka, kb);
  }
  const removed: number[] = [];
  for (let slot = 0; slot < size; slot++) {
    for (let left = counts[slot]! - 1; left > 0; left--) removed.push(laneA[slot]!, laneB[slot]!);
  }
  return { removed: Int32Array.from(removed), added: Int32Array.from(added) };
}

/**
 * Changed keys with how many rows of each are still to be picked out (duplicates: a key
 * removed twice picks two rows). Lookups by lane b, as in bagDifference.
 */
export class KeyCounts {
  private readonly laneA: Int32Array;
  private readonly laneB: Int32Array;
  private readonly counts: Int32Array;
  /** Slots ever filled: a key taken to zero must still be stepped over by later lookups. */
  private readonly used: Uint8Array;
  private readonly mask: number;
  size = 0;

  constructor(pairs: Int32Array) {
    let bits = 4;
    while (2 ** bits < pairs.length) bits++; // twice the keys
    this.laneA = new Int32Array(2 ** bits);
    this.laneB = new Int32Array(2 ** bits);
    this.counts = new Int32Array(2 ** bits);
    this.used = new Uint8Array(2 ** bits);
    this.mask = 2 ** bits - 1;
    for (let i = 0; i < pairs.length; i += 2) {
      const slot = this.find(pairs[i]!, pairs[i + 1]!);
      this.laneA[slot] = pairs[i]!;
      this.laneB[slot] = pairs[i + 1]!;
      this.used[slot] = 1;
      this.counts[slot]! += 1;
      this.size += 1;
    }
  }

  /** Takes one row of this key if any is left to take. */
  take(a: number, b: number): boolean {
    const slot = this.find(a, b);
    if (this.counts[slot] === 0) return false;
    this.counts[slot]! -= 1;
    this.size -= 1;
    return true;
  }

  private find(a: number, b: number): number {
    let slot = b & this.mask;
    while (this.used[slot] === 1 && (this.laneA[slot] !== a || this.laneB[slot] !== b)) slot = (slot + 1) & this.mask;
    return slot;
  }
}
