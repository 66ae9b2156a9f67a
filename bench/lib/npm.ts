/** @module npm as the bench calls it to install what it measures on demand (workerd, other Node.js versions): a failure becomes the one line of npm's output that says what went wrong. */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** npm's error block has codes, a stack and a log path around one sentence; that sentence is the reason. */
function reasonOf(output: string): string | undefined {
  const lines = output.split('\n').map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim());
  return lines.find((l) => l && !/^(code|syscall|errno|at |\{|\}|A complete log|If you are behind)/.test(l) && !/^\w+:\s*['\d]/.test(l));
}

/** Runs `npm <args>`; resolves with its stdout, or rejects with an Error whose message is npm's reason in one line. */
export async function npm(args: string[], opts: ExecFileOptions & { timeout: number }): Promise<string> {
  try {
    return String((await run('npm', ['--loglevel=error', ...args], { maxBuffer: 64 << 20, ...opts })).stdout);
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; killed?: boolean; message?: string };
    if (e.killed) throw new Error(`npm ${args[0]} took longer than ${opts.timeout / 1000} s`);
    const reason = reasonOf(`${e.stderr ?? ''}\n${e.stdout ?? ''}`) ?? (e.message ?? String(err)).split('\n', 1)[0];
    throw new Error(`npm ${args[0]}: ${reason}`);
  }
}
