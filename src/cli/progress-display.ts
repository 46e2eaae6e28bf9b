import { SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../api/progress';
import { formatCount } from '../util/units';

/** A stream the display draws on: stderr, or a test's stand-in terminal. */
export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Counters an event may carry with a known total, and what they count. */
const COUNTED = [
  { value: 'objects', total: 'totalObjects', unit: 'objects' },
  { value: 'files', total: 'totalFiles', unit: 'files' },
  { value: 'rows', total: 'totalRows', unit: 'rows' },
] as const;

/**
 * What long work looks like on a terminal: a bar with percentage, count, rate and ETA when
 * the total is known, a status line when it is not, and for work in phases (drill, flow,
 * plan run, repo upgrade) one line per phase, kept with its duration once it is done. It
 * draws only on a terminal: the caller creates none otherwise (a log gets no escape codes,
 * and --json output stays the document alone).
 */
export class ProgressDisplay {
  private bar?: { widget: SingleBar; unit: string; started: number; drawn: number };
  private phase?: { name: string; started: number };
  private statusShown = false;
  private lastStatus = 0;

  constructor(private readonly stream: ProgressStream = process.stderr, private readonly now: () => number = Date.now) {}

  /** One progress event of the library. */
  event(event: ProgressEvent): void {
    const { detail } = event;
    if (typeof detail.step === 'string') { this.startPhase(`${event.operation}: ${detail.step}`); return; }
    const counted = COUNTED.find((c) => typeof detail[c.value] === 'number' && typeof detail[c.total] === 'number' && (detail[c.total] as number) > 0);
    if (counted) { this.update(label(event), detail[counted.value] as number, detail[counted.total] as number, counted.unit); return; }
    this.status(event.message);
  }

  /** A new phase: the one before it is kept as a finished line with its duration. */
  startPhase(name: string): void {
    this.finishPhase();
    this.phase = { name, started: this.now() };
    this.status(`${name} …`, true);
  }

  /** Ends the display: bars and status lines are cleared, a running phase is kept as done. */
  done(): void {
    this.finishPhase();
    this.clearLine();
  }

  private finishPhase(): void {
    this.stopBar();
    if (!this.phase) return;
    this.statusShown = false;
    this.stream.write(`\r\x1b[2K✓ ${this.phase.name} (${seconds(this.now() - this.phase.started)})\n`);
    this.phase = undefined;
  }

  private update(name: string, value: number, total: number, unit: string): void {
    if (this.bar && this.bar.unit !== unit) this.stopBar();
    if (!this.bar) {
      this.clearLine();
      const widget = new SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        format: `${this.phase ? this.phase.name : '{name}'} [{bar}] {percentage}% | {done}/{all} ${unit} | {rate} ${unit}/s | ETA {remaining}`,
        barsize: 24,
        hideCursor: false,
        clearOnComplete: true,
        fps: 10,
        etaBuffer: 50,
        barCompleteChar: '█',
        barIncompleteChar: '░',
      });
      widget.start(total, 0, { name, done: '0', all: formatCount(total), rate: '0', remaining: '…' });
      this.bar = { widget, unit, started: this.now(), drawn: 0 };
    }
    const now = this.now();
    const rate = value / (Math.max(now - this.bar.started, 1) / 1000);
    this.bar.widget.setTotal(total);
    this.bar.widget.update(value, { name, done: formatCount(value), all: formatCount(total), rate: formatCount(Math.round(rate)), remaining: rate > 0 ? duration((total - value) / rate) : '…' });
    // Drawn now (at most 10 times a second, and always at the end) rather than on the bar's own timer.
    if (now - this.bar.drawn >= 100 || value >= total) {
      this.bar.drawn = now;
      this.bar.widget.render();
    }
  }

  private stopBar(): void {
    if (!this.bar) return;
    this.bar.widget.stop();
    this.bar = undefined;
  }

  /** A line redrawn in place (at most 10 times a second, unless forced). */
  private status(line: string, force = false): void {
    if (this.bar) return;
    const now = this.now();
    if (!force && now - this.lastStatus < 100) return;
    this.lastStatus = now;
    const width = this.stream.columns ?? 120;
    this.stream.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
    this.statusShown = true;
  }

  private clearLine(): void {
    if (!this.statusShown) return;
    this.stream.write('\r\x1b[2K');
    this.statusShown = false;
  }
}

/** What a bar is about: the event's message up to its counters ("backup vendas"). */
function label(event: ProgressEvent): string {
  return event.message.split(':')[0] ?? event.operation;
}

/** An ETA as people read it: 45 s, 3 min 20 s, 2 h 5 min. */
function duration(totalSeconds: number): string {
  const s = Math.ceil(totalSeconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${formatCount(Math.round(ms / 1000))} s`;
}
