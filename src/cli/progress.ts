/**
 * @module A one-line status on stderr for slow commands: shown only on a terminal, only once the
 * command has run for a second, redrawn in place, and erased before anything else is written.
 */
import type { Io } from './output.ts';

export interface Progress {
  /** False when nothing will ever be shown (stderr is not a terminal): callers can skip the work of measuring. */
  readonly enabled: boolean;
  /** Starts a phase; `describe` gets the seconds since the phase started and returns the status text. */
  phase(describe: (seconds: number) => string): void;
  /** Redraws if due: for synchronous work that keeps the event loop (and so the timer) from running. */
  tick(): void;
  /** Erases the line, so the next write to stderr starts clean; the status comes back at the next redraw. */
  clear(): void;
  /** Erases the line for good. */
  stop(): void;
}

export interface ProgressOptions {
  /** Milliseconds, monotonic. */
  now?: () => number;
  /** Nothing is shown for this long: a quick command stays quiet. */
  quietMs?: number;
}

const REDRAW_MS = 100;
const NO_PROGRESS: Progress = { enabled: false, phase() {}, tick() {}, clear() {}, stop() {} };

/** A status line on `io`'s stderr when that is a terminal; otherwise (pipes, files, CI logs) one that shows nothing. */
export function createProgress(io: Io, options: ProgressOptions = {}): Progress {
  const terminal = io.errTerminal;
  if (!terminal) return NO_PROGRESS;
  const now = options.now ?? (() => performance.now());
  const quietMs = options.quietMs ?? 1000;
  const started = now();
  let phaseStarted = started;
  let describe: ((seconds: number) => string) | undefined;
  let shown = 0; // characters on the line now
  let drawnAt = Number.NEGATIVE_INFINITY;

  const erase = () => {
    if (shown > 0) io.err(`\r${' '.repeat(shown)}\r`);
    shown = 0;
  };
  const draw = (force: boolean) => {
    const at = now();
    if (describe === undefined || at - started < quietMs || (!force && at - drawnAt < REDRAW_MS)) return;
    // One character short of the width: a full line would wrap, and `\r` would then return to the wrong row.
    const text = describe((at - phaseStarted) / 1000).slice(0, Math.max(10, terminal.columns() - 1));
    io.err(`\r${text}${' '.repeat(Math.max(0, shown - text.length))}`);
    shown = text.length;
    drawnAt = at;
  };
  const timer = setInterval(() => draw(false), REDRAW_MS);
  timer.unref();

  return {
    enabled: true,
    phase(next) {
      describe = next;
      phaseStarted = now();
      draw(true);
    },
    tick: () => draw(false),
    clear: erase,
    stop() {
      clearInterval(timer);
      describe = undefined;
      erase();
    },
  };
}

/** `3,072`: counts people read at a glance. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
