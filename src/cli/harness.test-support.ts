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

/** Runs the CLI in-process against a scripted fake server; returns what a person would see. */
export function harness(dir: string, handler: Handler) {
  const requests: Seen[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const seen: Seen = { method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), body: String(init?.body ?? '') };
    requests.push(seen);
    const reply = handler(seen);
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    return new Response(body, { status: reply.status ?? 200, headers: reply.headers });
  }) as typeof fetch;
  const base: CliEnvironment = {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
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
