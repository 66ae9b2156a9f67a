// Bad STRATUS_DATABASE_URL values: malformed, unreachable, a login PostgreSQL refuses, a database a
// newer Stratus migrated. Each stops the start with one line naming the variable and the problem,
// writes nothing, and never shows the URL's password, in the error or in the log.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startStratus } from '../../src/main.ts';
import { openPostgresStores } from '../../src/store/index.ts';
import { freshSchema, postgresUnderTest, withAdmin, type TestSchema } from '../support/postgres.ts';
import { startPasswordRefuser } from '../support/postgres-refuser.ts';

const SECRET = 'hunter2-S3cret';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts Stratus on the URL and returns the one-line error it failed with, the log it wrote, and its data folder. */
async function failedStart(databaseUrl: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-dburl-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  let log = '';
  const logDestination = new Writable({ write: (chunk, _enc, done) => ((log += String(chunk)), done()) });
  const err = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'trace', databaseUrl, logDestination }).then(
    async (s) => {
      await s.close();
      throw new Error('Stratus started on a bad database URL');
    },
    (e: Error) => e,
  );
  expect(err.message).not.toContain('\n');
  expect(`${err.message} ${String(err.stack)} ${log}`).not.toContain(SECRET);
  // Nothing written: no embedded database took over, no credentials were issued.
  expect(fs.readdirSync(dataDir)).toEqual([]);
  return err.message;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('STRATUS_DATABASE_URL', () => {
  it('that is malformed stops the start before any connection, naming the problem', async () => {
    expect(await failedStart(`postgres//root:${SECRET}@127.0.0.1:5432/test`)).toMatch(
      /^STRATUS_DATABASE_URL: is not a URL: expected postgres:\/\/user\[:password\]@host\[:port\]\/database$/,
    );
    expect(await failedStart(`mysql://root:${SECRET}@127.0.0.1/test`)).toMatch(/^STRATUS_DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//);
  });

  it('that is malformed in the environment makes `npm start` print one line and exit 1', () => {
    const run = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, STRATUS_DATABASE_URL: `postgres://root:${SECRET}@[::1/test`, STRATUS_PORT: '0', STRATUS_DATA_DIR: os.tmpdir() },
      encoding: 'utf8',
    });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(/^stratus: could not start: STRATUS_DATABASE_URL: is not a URL: [^\n]*\n$/);
    expect(run.stderr).not.toContain(SECRET);
  });

  it('that names a port nothing listens on says the connection was refused there', async () => {
    const port = await closedPort();
    expect(await failedStart(`postgres://root:${SECRET}@127.0.0.1:${port}/test`)).toBe(
      `STRATUS_DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port} (connection refused): check that it runs and listens on that host and port`,
    );
  });

  it('with a password PostgreSQL refuses names the user, never the password', async () => {
    const refuser = await startPasswordRefuser();
    cleanups.push(() => refuser.close());
    const message = await failedStart(`postgres://root:${SECRET}@127.0.0.1:${refuser.port}/test`);
    expect(message).toBe(
      `STRATUS_DATABASE_URL: PostgreSQL at 127.0.0.1:${refuser.port} refused the login of user 'root' (password authentication failed for user "root"): check the user and password`,
    );
    // The stand-in really was asked: the driver sent it the password it then refused.
    expect(refuser.passwordsReceived()).toContain(SECRET);
  });

  const pg = postgresUnderTest();
  it.runIf(pg.url || pg.required)('pointing at a database a newer Stratus migrated is left exactly as it was', async () => {
    const schema: TestSchema = await freshSchema();
    cleanups.push(() => schema.drop());
    await (await openPostgresStores(schema.url)).close();
    const snapshot = () =>
      withAdmin(pg.url!, async (c) => ({
        migrations: (await c.query(`SELECT * FROM ${schema.schema}.schema_migrations ORDER BY id`)).rows,
        accounts: (await c.query(`SELECT count(*)::int AS n FROM ${schema.schema}.accounts`)).rows[0].n,
      }));
    await withAdmin(pg.url!, (c) => c.query(`INSERT INTO ${schema.schema}.schema_migrations VALUES (999, 'from the future', 'later')`));
    const before = await snapshot();
    const url = new URL(schema.url);
    url.password = SECRET;
    expect(await failedStart(url.toString())).toMatch(
      /^STRATUS_DATABASE_URL: the database postgres:\/\/root@127\.0\.0\.1:5432\/test was migrated by a newer Stratus \(schema version 999; this Stratus knows up to \d+\): upgrade Stratus, or point STRATUS_DATABASE_URL at another database$/,
    );
    expect(await snapshot()).toEqual({ ...before, accounts: 0 });
  });
});
