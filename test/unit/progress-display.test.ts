import type { ProgressEvent } from '../../src/api/progress';
import { plural } from '../../src/util/units';
import { createOutput } from '../../src/cli/output';
import { ProgressDisplay, type ProgressStream } from '../../src/cli/progress-display';

/** A stand-in terminal (or pipe) that keeps what was drawn. */
function terminal(isTTY: boolean): ProgressStream & { text: string } {
  const stream = { isTTY, columns: 160, text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream;
}

const backupEvent = (objects: number, totalObjects: number): ProgressEvent => ({
  operation: 'backup.create', message: `backup vendas: ${objects}/${totalObjects} objects, 1.0 MiB`, detail: { objects, totalObjects, bytes: 1024 * 1024 },
});

/** The text a terminal shows last on each line: escape codes stripped, carriage returns honoured. */
function screen(text: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
  return plain.split('\n').map((line) => line.split('\r').filter(Boolean).pop() ?? '');
}

describe('progress for people', () => {
  it('a bar with percentage, counts, rate and ETA where the total is known', () => {
    let now = 0;
    const tty = terminal(true);
    const display = new ProgressDisplay(tty, () => now);
    try {
      display.event(backupEvent(0, 2_000));
      now = 2_000;
      display.event(backupEvent(1_000, 2_000));
      expect(screen(tty.text).join('\n')).toMatch(/backup vendas \[█{12}░{12}\] 50% \| 1,000\/2,000 objects \| 500 objects\/s \| ETA 2 s/);
    } finally {
      display.done();
    }
  });

  it('work in phases (drill, flow) keeps one finished line per phase, with its duration', () => {
    let now = 0;
    const tty = terminal(true);
    const display = new ProgressDisplay(tty, () => now);
    display.event({ operation: 'drill', message: 'drill vendas: checkpoint', detail: { step: 'checkpoint' } });
    now = 1_200;
    display.event({ operation: 'drill', message: 'drill vendas: disaster: delete-prefix', detail: { step: 'disaster: delete-prefix' } });
    now = 1_500;
    display.event({ operation: 'drill', message: 'drill vendas: recover', detail: { step: 'recover' } });
    display.event({ operation: 'drill', message: 'drill vendas: 5/10 objects', detail: { objects: 5, totalObjects: 10, bytes: 0 } });
    now = 6_500;
    display.event({ operation: 'drill', message: 'drill vendas: validate (full)', detail: { step: 'validate (full)' } });
    now = 9_000;
    display.done();
    const lines = screen(tty.text).filter((line) => line.startsWith('✓'));
    expect(lines).toEqual([
      '✓ drill: checkpoint (1.2 s)',
      '✓ drill: disaster: delete-prefix (0.3 s)',
      '✓ drill: recover (5.0 s)',
      '✓ drill: validate (full) (2.5 s)',
    ]);
  });

  it('nothing at all on stderr when it is not a terminal, nor with --json on one', () => {
    for (const [json, tty] of [[false, terminal(false)], [true, terminal(true)]] as const) {
      const output = createOutput(json, tty);
      output.phase('flow: 1. create');
      output.progress(backupEvent(1, 2));
      output.progress({ operation: 'audit', message: 'audit: policies', detail: {} });
      output.done();
      expect(tty.text).toBe('');
    }
  });

  it('a status line where no total is known, on a terminal', () => {
    const tty = terminal(true);
    const output = createOutput(false, tty);
    output.progress({ operation: 'copy', message: 'copy: 1,000 objects, 3.0 MiB', detail: { objects: 1_000, bytes: 3 * 1024 * 1024 } });
    expect(screen(tty.text)).toContain('copy: 1,000 objects, 3.0 MiB');
    output.done();
  });

  it('counts agree with their nouns and carry thousands separators', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(50_000, 'row')).toBe('50,000 rows');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
