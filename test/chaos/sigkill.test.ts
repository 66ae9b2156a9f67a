// A server killed with SIGKILL while clients write keeps every write it acknowledged, and what it
// was writing when it died is either there and whole or not there at all. The server runs as
// `npm start` runs it, in its own process; the kill lands right after an acknowledgement, while
// the other clients' writes are on the wire.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { checkLedger } from './write-check.ts';
import { Ledger, runWriter, type Call, type Credentials } from './write-ledger.ts';

/**
 * The store configurations the server is killed on, passed to it as environment. A PostgreSQL
 * variant adds `{ name: 'PostgreSQL', env: { STRATUS_DATABASE_URL: ... } }` with a fresh database.
 */
const STORES: { name: string; env: Record<string, string> }[] = [{ name: 'the embedded SQLite store', env: {} }];

/** How often each writer replaces its code: builds are slow, so the others keep the fast writes flowing. */
const CODE_EVERY = [1, 3, 0, 0];
/** Acknowledgements before each kill: different counts land the kill on different kinds of write. */
const KILL_AFTER = [20, 33, 47];

const ROOT: Credentials = { accessKeyId: 'AKIACHAOSROOT0000001', secretAccessKey: 'chaos-root-secret-0000000000000000000000' };

describe.each(STORES)('SIGKILL on $name', ({ env }) => {
  it('keeps every acknowledged control-plane write across repeated kills, and leaves no unacknowledged one half-written', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-sigkill-'));
    const start = () => startServerProcess({ dataDir, rootCredentials: ROOT, env });
    const caller =
      (s: ServerProcess): Call =>
      (method, p, body, headers) =>
        signedFetch(s.url, method, p, body, { credentials: ROOT, headers });
    const ledger = new Ledger();
    let server = await start();
    try {
      for (const [round, acks] of KILL_AFTER.entries()) {
        const call = caller(server);
        const killAt = ledger.afterAcks(acks);
        const writers = Promise.all(CODE_EVERY.map((every, w) => runWriter(call, ledger, `r${round}w${w}`, every)));
        // Writers only stop when the server stops answering; stopping first means it died on its own.
        await Promise.race([killAt, writers.then(() => Promise.reject(new Error(`the server stopped answering before the kill:\n${server.output()}`)))]);
        const inFlight = ledger.inFlight;
        await server.kill();
        await writers;
        expect(inFlight, 'writes on the wire when the server was killed').toBeGreaterThan(0);

        server = await start();
        expect(await checkLedger(server.url, caller(server), ledger), `after kill ${round + 1}`).toEqual([]);
      }
      // The check covers the earlier rounds' writes again after every kill; make sure there were plenty.
      expect(ledger.acks).toBeGreaterThanOrEqual(KILL_AFTER.reduce((a, b) => a + b, 0));
    } finally {
      await server.kill();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
