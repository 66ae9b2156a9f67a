/** @module Test support: runs the CLI in-process against a scripted fake server and records what it sent. */
import type { CliEnvironment } from './context.ts';
import { run } from './main.ts';

export interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export type Handler = (req: Seen) => { status?: number; json?: unknown; text?: string; headers?: Record<string, string> };

export interface HarnessOptions {
  /** Make stderr a terminal of this width, where progress is shown. */
  terminalColumns?: number;
  /** The CLI's clock (monotonic milliseconds). */
  now?: () => number;
}

/** Runs the CLI in-process against a scripted fake server; returns what a person would see. */
export function harness(dir: string, handler: Handler, options: HarnessOptions = {}) {
  const requests: Seen[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    // A watched upload arrives as a stream: read it whole, as a server would.
    const sent = init?.body instanceof ReadableStream ? await new Response(init.body).text() : String(init?.body ?? '');
    const seen: Seen = { method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), body: sent };
    requests.push(seen);
    const reply = handler(seen);
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    return new Response(body, { status: reply.status ?? 200, headers: reply.headers });
  }) as typeof fetch;
  const base: CliEnvironment = {
    io: {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      errTerminal: options.terminalColumns === undefined ? undefined : { columns: () => options.terminalColumns! },
    },
    now: options.now,
    env: { AWS_ACCESS_KEY_ID: 'AKTEST', AWS_SECRET_ACCESS_KEY: 'secret' },
    cwd: dir,
    home: dir,
    fetch: fakeFetch,
    status: { exitCode: 0 },
  };
  return {
    requests,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    run: (...argv: string[]) => run(argv, base),
  };
}
