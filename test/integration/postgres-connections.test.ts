// PostgreSQL connections dropped while Stratus serves (pg_terminate_backend on Stratus's own
// connections, found by the application_name the test gives them; the shared server is never
// restarted): a request in flight fails with a retryable 503 in Lambda's ServiceException shape,
// Stratus reconnects by itself, and the URL's password never reaches the log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStratus, type RunningStratus } from '../../src/main.ts';
import { freshSchema, postgresUnderTest, withAdmin, type TestSchema } from '../support/postgres.ts';
import { ECHO } from '../support/server.ts';
import { signedFetch, type RawResponse } from '../support/signed-fetch.ts';

const SECRET = 'hunter2-S3cret';
const pg = postgresUnderTest();

describe.runIf(pg.url || pg.required)('PostgreSQL connections dropped while Stratus serves', () => {
  let schema: TestSchema;
  let server: RunningStratus;
  let dataDir: string;
  let log = '';
  const call = (method: string, p: string, body?: string) => signedFetch(server.url, method, p, body, { credentials: server.rootCredentials });
  /** Stratus's backends (the admin connection has another application_name), optionally only those in a given wait state. */
  const backends = (where = 'true') =>
    withAdmin(pg.url!, async (c) => (await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND ${where}`, [schema.schema])).rows);
  const terminate = (where: string) =>
    withAdmin(pg.url!, (c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND ${where}`, [schema.schema]));
  /** Polls the database until the condition holds (a bounded number of round trips, not a timed wait). */
  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 2_000; i++) if (await condition()) return;
    throw new Error(`never happened: ${what}`);
  }
  const expectStoreUnavailable = (res: RawResponse) => {
    expect({ status: res.status, type: res.headers.get('x-amzn-errortype'), retryAfter: res.headers.get('retry-after') }).toEqual({
      status: 503,
      type: 'ServiceException',
      retryAfter: '1',
    });
    expect(res.json()).toMatchObject({ Type: 'Service', code: 'STORE_UNAVAILABLE' });
  };

  beforeAll(async () => {
    schema = await freshSchema();
    const url = new URL(schema.url);
    url.password = SECRET;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-pgdrop-'));
    const logDestination = new Writable({ write: (chunk, _enc, done) => ((log += String(chunk)), done()) });
    server = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'info', databaseUrl: url.toString(), logDestination });
    const created = await call('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'echo', Code: { ZipFile: Buffer.from(ECHO).toString('base64') } }));
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails a request whose connection is killed mid-query with a retryable 503, and serves the next one', async () => {
    // Holding a lock on the versions table keeps Stratus's query in flight until its backend is killed.
    await withAdmin(pg.url!, async (admin) => {
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${schema.schema}.function_versions IN ACCESS EXCLUSIVE MODE`);
      const inFlight = call('GET', '/2015-03-31/functions/');
      await until(async () => (await backends("wait_event_type = 'Lock'")).length === 1, 'ListFunctions waiting on the lock');
      await terminate("wait_event_type = 'Lock'");
      expectStoreUnavailable(await inFlight);
      await admin.query('ROLLBACK');
    });
    const next = await call('GET', '/2015-03-31/functions/');
    expect(next.status).toBe(200);
    expect((next.json().Functions as Array<{ FunctionName: string }>).map((f) => f.FunctionName)).toEqual(['echo']);
  });

  it('reconnects by itself after every connection it had was killed', async () => {
    expect((await call('GET', '/2015-03-31/functions/echo')).status).toBe(200);
    expect((await backends()).length).toBeGreaterThan(0);
    await terminate('true');
    await until(async () => (await backends()).length === 0, "Stratus's connections gone");
    // A connection killed while idle is dropped by the pool when its close arrives; should a request
    // get one before that, it answers the same retryable 503, and the next one finds a new connection.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 2 && statuses.at(-1) !== 201; attempt++) {
      const res = await call('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'after', Code: { ZipFile: Buffer.from(ECHO).toString('base64') } }));
      if (res.status !== 201) expectStoreUnavailable(res);
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(201);
    expect((await backends()).length).toBeGreaterThan(0);
    const invoked = await call('POST', '/2015-03-31/functions/after/invocations', '{"n":1}');
    expect({ status: invoked.status, body: invoked.json() }).toEqual({ status: 200, body: { echo: { n: 1 } } });
  });

  it('serves warm invocations from its read cache while the function tables are locked', async () => {
    expect((await call('POST', '/2015-03-31/functions/echo/invocations', '{"warm":1}')).status).toBe(200);
    await withAdmin(pg.url!, async (admin) => {
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${schema.schema}.function_versions, ${schema.schema}.aliases, ${schema.schema}.tenancy_limits IN ACCESS EXCLUSIVE MODE`);
      try {
        const res = await call('POST', '/2015-03-31/functions/echo/invocations', '{"warm":2}');
        expect({ status: res.status, body: res.json() }).toEqual({ status: 200, body: { echo: { warm: 2 } } });
      } finally {
        await admin.query('ROLLBACK');
      }
    });
  });

  it('never writes the database password to the log, though it logged the lost connections', () => {
    expect(log).toContain('The database did not answer (terminating connection due to administrator command)');
    expect(log).toContain('a database connection failed; the next request opens another');
    expect(log).not.toContain(SECRET);
  });
});
