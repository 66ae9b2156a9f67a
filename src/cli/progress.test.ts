import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from './output.ts';
import { createProgress, type Progress } from './progress.ts';

function terminal(columns = 80): { io: Io; written: () => string } {
  const chunks: string[] = [];
  return {
    io: { out: () => {}, err: (text) => void chunks.push(text), errTerminal: { columns: () => columns } },
    written: () => chunks.join(''),
  };
}

describe('createProgress', () => {
  let clock = 0;
  const now = () => clock;
  let progress: Progress | undefined;
  afterEach(() => {
    progress?.stop();
    clock = 0;
  });

  it('shows nothing when stderr is not a terminal', () => {
    const err: string[] = [];
    progress = createProgress({ out: () => {}, err: (text) => void err.push(text) }, { now });
    clock = 5000;
    progress.phase(() => 'zipping');
    progress.tick();
    progress.stop();
    expect(progress.enabled).toBe(false);
    expect(err).toEqual([]);
  });

  it('stays quiet for the first second, then redraws one line in place and erases it at the end', () => {
    const t = terminal();
    progress = createProgress(t.io, { now });
    progress.phase(() => 'zipping app: 10 of 20 files');
    clock = 999;
    progress.tick();
    expect(t.written()).toBe('');

    clock = 1000;
    progress.tick();
    expect(t.written()).toBe('\rzipping app: 10 of 20 files');
    progress.phase((seconds) => `waiting: ${seconds.toFixed(1)} s`);
    clock = 3500;
    progress.tick();
    // A shorter status covers what remains of the longer one with spaces.
    expect(t.written()).toBe(`\rzipping app: 10 of 20 files\rwaiting: 0.0 s${' '.repeat(13)}\rwaiting: 2.5 s`);
    progress.stop();
    expect(t.written().endsWith(`\r${' '.repeat('waiting: 2.5 s'.length)}\r`)).toBe(true);
  });

  it('does not redraw more than ten times a second, and clears the line before other output', () => {
    const t = terminal();
    progress = createProgress(t.io, { now });
    clock = 2000;
    let count = 0;
    progress.phase(() => `step ${++count}`);
    clock = 2050;
    progress.tick();
    expect(t.written()).toBe('\rstep 1');
    clock = 2100;
    progress.tick();
    expect(t.written()).toBe('\rstep 1\rstep 2');
    progress.clear();
    expect(t.written()).toBe('\rstep 1\rstep 2\r      \r');
  });

  it('cuts a status to the width of the terminal, so it never wraps onto a second line', () => {
    const t = terminal(20);
    progress = createProgress(t.io, { now });
    clock = 1000;
    progress.phase(() => 'x'.repeat(50));
    expect(t.written()).toBe(`\r${'x'.repeat(19)}`);
  });
});
