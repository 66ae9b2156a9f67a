// SQLite migrations: an older database is brought up to date (its code collectable, its limits revisioned); a newer one is refused untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { openSqliteStores } from '../index.ts';
import { MIGRATIONS } from './migrations.sqlite.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

it('collects code stored before migration 3 that no version references, and keeps the rest', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-migrate-'));
  dirs.push(dir);
  const file = path.join(dir, 'old.db');
  const old = new Database(file);
  old.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((m) => m.id <= 2)) {
    old.exec(m.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.id, m.name, 'then');
  }
  old.exec(`
    INSERT INTO accounts VALUES ('111122223333', 'a', 0, 'then');
    INSERT INTO functions (account_id, name, created_at) VALUES ('111122223333', 'f', 'then');
    INSERT INTO code_zips VALUES ('kept', x'01'), ('orphan', x'02');
    INSERT INTO code_bundles VALUES ('kept-b', 'k'), ('orphan-b', 'o');
  `);
  const record = { accountId: '111122223333', functionName: 'f', version: '$LATEST', codeSha256: 'kept', bundleSha256: 'kept-b' };
  old.prepare("INSERT INTO function_versions VALUES ('111122223333', 'f', '$LATEST', 0, 'r1', ?)").run(JSON.stringify(record));
  old.close();

  const stores = openSqliteStores(file, { now: () => 1_000 });
  try {
    expect(await stores.code.collectGarbage(0)).toEqual({ zips: 1, bundles: 1 });
    expect(await stores.code.getZip('orphan')).toBeUndefined();
    expect(await stores.code.getZip('kept')).toBeDefined();
    expect(await stores.code.getBundle('kept-b')).toBe('k');
    expect(await stores.functions.referencesCode({ accountId: '111122223333', functionName: 'f', codeSha256: 'kept' })).toBe(true);
  } finally {
    await stores.close();
  }
});

it('gives tenancy limits stored before migration 4 a revision, so the next write can be conditional', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-migrate-'));
  dirs.push(dir);
  const file = path.join(dir, 'old.db');
  const old = new Database(file);
  old.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter((m) => m.id <= 3)) old.exec(m.sql);
  old.exec(`
    INSERT INTO schema_migrations VALUES (1, 'm', 'then'), (2, 'm', 'then'), (3, 'm', 'then');
    INSERT INTO accounts VALUES ('111122223333', 'a', 0, 'then');
    INSERT INTO functions (account_id, name, created_at) VALUES ('111122223333', 'f', 'then');
    INSERT INTO tenancy_limits VALUES ('111122223333', 'f', '{"maxConcurrency":2}');
  `);
  old.close();
  const stores = openSqliteStores(file);
  try {
    const F = { accountId: '111122223333', functionName: 'f' };
    const rec = await stores.functions.getTenancyLimits(F);
    expect(rec).toMatchObject({ limits: { maxConcurrency: 2 }, revisionId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(await stores.functions.putTenancyLimits({ next: { ...F, limits: {}, revisionId: 'n' }, expectedRevisionId: rec!.revisionId })).toBe(true);
  } finally {
    await stores.close();
  }
});

it('refuses, with one line and writing nothing, a database a newer Stratus migrated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-migrate-'));
  dirs.push(dir);
  const file = path.join(dir, 'newer.db');
  await openSqliteStores(file).close();
  const newer = new Database(file);
  newer.prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', 'later')").run();
  const before = newer.prepare('SELECT * FROM schema_migrations ORDER BY id').all();
  newer.close();
  expect(() => openSqliteStores(file)).toThrow(
    /^STRATUS_DATA_DIR: the database .*newer\.db was migrated by a newer Stratus \(schema version 999; this Stratus knows up to \d+\): upgrade Stratus/,
  );
  const after = new Database(file, { readonly: true });
  expect(after.prepare('SELECT * FROM schema_migrations ORDER BY id').all()).toEqual(before);
  after.close();
});
