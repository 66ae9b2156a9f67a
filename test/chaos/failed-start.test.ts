// A start that fails part-way (here: its port is taken, after the store, the engine workers and the
// rest have started) closes what it started: no worker process is left behind, the store is closed,
// and the same data folder starts cleanly once the port is free.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startStratus } from '../../src/main.ts';
import { until } from '../support/until.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Process ids of this process's children (Linux: /proc). */
function children(): number[] {
  const tasks = fs.readdirSync(`/proc/${process.pid}/task`);
  return tasks.flatMap((t) => {
    const text = fs.readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  });
}

it.skipIf(process.platform !== 'linux')('closes every module it started when a later one cannot start', { timeout: 60_000 }, async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as net.AddressInfo).port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-failed-start-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const before = new Set(children());

  const err = await startStratus({ host: '127.0.0.1', port, dataDir, logLevel: 'silent', engineWorkers: 2 }).then(
    async (s) => {
      await s.close();
      throw new Error('Stratus started on a port that was taken');
    },
    (e: Error & { code?: string }) => e,
  );
  expect(err.code).toBe('EADDRINUSE');
  await until('the engine workers started for the failed start have ended', () => children().every((pid) => before.has(pid)));

  const again = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', engineWorkers: 1 });
  cleanups.push(() => again.close());
  expect(again.engineWorkerPids()).toHaveLength(1);
  const res = await fetch(`${again.url}/healthz`);
  expect(res.status).toBe(200);
});
