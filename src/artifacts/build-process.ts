/**
 * @module Starts the bundling process (build-worker.js) for one staged package, which extracts and bundles it, and bounds it: CPU
 * time (RLIMIT_CPU through `ulimit -t` of /bin/sh, inherited by esbuild's own process), wall time,
 * the size of its answer, and cancellation. Its environment is empty, its working directory is
 * the package: nothing of the server's process (variables, open files) is there to be read.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ExtractEntry, ExtractError } from './extract.js';

const WORKER = fileURLToPath(new URL('./build-worker.js', import.meta.url));
/** Where RLIMIT_CPU can be set without an optional tool: every POSIX system has /bin/sh and `ulimit -t`. */
const SHELL = process.platform !== 'win32' && existsSync('/bin/sh') ? '/bin/sh' : undefined;
/** Scheduling priority of build processes (nice): they yield the CPU to the server's own work. */
const BUILD_NICENESS = 10;
/** What the worker writes to stderr is kept for the server log only, and only this much. */
const MAX_STDERR = 16 * 1024;

export interface BuildJob {
  /** The uploaded zip, outside the package folder, and the files to extract from it. */
  zipFile: string;
  files: ExtractEntry[];
  entryFile: string;
  tsconfigRaw: string;
  maxOutputBytes: number;
}

export interface BuildProcessLimits {
  /** CPU seconds each process of the build may use (the kernel stops it past that). */
  cpuSeconds: number;
  /** Wall-clock bound on the whole build, in ms. */
  wallMs: number;
}

/** A message as the worker passes it on (see build-worker.js). */
export interface WorkerMessage {
  text: string;
  location: { file: string; line: number; column: number; length: number; lineText: string } | null;
  /** True when the confinement plugin raised it. */
  plugin: boolean;
}

export type WorkerAnswer =
  | { ok: true; text: string }
  | { ok: false; messages: WorkerMessage[]; total: number }
  | { ok: false; tooLarge: number }
  /** A file of the zip could not be extracted as its directory record says. */
  | { ok: false; zip: { problem: ExtractError['problem']; path: string } }
  /** esbuild's process died under the worker: its CPU-time limit, or memory. */
  | { ok: false; stopped: string }
  | { ok: false; internal: string };

/** How a build process ended without an answer. */
export class BuildStopped extends Error {
  override readonly name = 'BuildStopped';
  constructor(
    readonly reason: 'cpu' | 'wall' | 'output' | 'aborted' | 'crashed',
    detail: string,
  ) {
    super(detail);
  }
}

/** Runs one build in its own process group under `cwd`, and returns the worker's answer. */
export function runBuildProcess(job: BuildJob, cwd: string, limits: BuildProcessLimits, signal?: AbortSignal): Promise<WorkerAnswer> {
  if (signal?.aborted) return Promise.reject(new BuildStopped('aborted', 'the build was cancelled before it started'));
  // ulimit -c 0: a build killed for its CPU time leaves no core file in the package folder.
  const [command, args] = SHELL
    ? [SHELL, ['-c', 'ulimit -c 0 2>/dev/null; ulimit -t "$1" || exit 90; shift; exec "$@"', 'stratus-build', String(Math.ceil(limits.cpuSeconds)), process.execPath, WORKER]]
    : [process.execPath, [WORKER]];
  const child = spawn(command, args, { cwd, env: {}, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  // Below the server in the CPU's favour: a build waits, invocations do not. Set before the worker
  // starts esbuild, which inherits it.
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, BUILD_NICENESS);
    } catch {
      // Not allowed here (some containers): the build runs at normal priority.
    }
  }
  // The answer is JSON text of the bundle (at most the size limit) and its source map (kept only when
  // no longer than the bundle); escaping at most doubles each.
  const maxAnswer = 4 * job.maxOutputBytes + 64 * 1024;

  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let stopped: BuildStopped | undefined;
    const stop = (reason: BuildStopped['reason'], detail: string) => {
      stopped ??= new BuildStopped(reason, detail);
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop('wall', `the build ran past ${limits.wallMs} ms`), limits.wallMs);
    const onAbort = () => stop('aborted', 'the build was cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxAnswer) return stop('output', `the build's answer passed ${maxAnswer} bytes`);
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < MAX_STDERR) err += chunk.toString('utf8').slice(0, MAX_STDERR - err.length);
    });
    // A worker that dies early closes stdin under our write: the exit below says what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(job));

    child.on('error', (e) => stop('crashed', `the build process could not start: ${e.message}`));
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Whatever the worker started (esbuild's own process) goes with it.
      killGroup(child.pid);
      if (stopped) return reject(stopped);
      if (sig === 'SIGXCPU' || (sig === 'SIGKILL' && code === null)) {
        return reject(new BuildStopped('cpu', `the build used more than ${limits.cpuSeconds} s of CPU time`));
      }
      if (code !== 0) return reject(new BuildStopped('crashed', `the build process exited with ${sig ?? code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as WorkerAnswer);
      } catch {
        reject(new BuildStopped('crashed', `the build process answered text that is not JSON: ${err.trim()}`));
      }
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
