/**
 * @module CodeStore on SQLite: content-addressed zips and bundles (identical uploads are stored once),
 * collected when no function version references them. Collection reads `function_versions`, the
 * function store's table in the same database, so "unreferenced" is decided in the transaction that
 * deletes. Puts are remembered in `code_recent_puts` (not on the code rows: updating a row rewrites
 * its blob) until collection finds them past the grace period it is given.
 */
import type { Clock } from '../../shared/clock.ts';
import type { CodeStore } from '../ports.ts';
import type { SqliteDb } from './database.sqlite.ts';

type Kind = 'zip' | 'bundle';

export function createSqliteCodeStore(db: SqliteDb, clock: Clock): CodeStore {
  const insertZip = db.prepare('INSERT OR IGNORE INTO code_zips (code_sha256, zip) VALUES (?, ?)');
  const getZip = db.prepare<[string], { zip: Buffer }>('SELECT zip FROM code_zips WHERE code_sha256 = ?');
  const insertBundle = db.prepare('INSERT OR IGNORE INTO code_bundles (bundle_sha256, bundle) VALUES (?, ?)');
  const getBundle = db.prepare<[string], { bundle: string }>('SELECT bundle FROM code_bundles WHERE bundle_sha256 = ?');
  // Storing code that is already there stamps it again: a deploy re-using code that waits for
  // collection gets a fresh grace period until its version record is written.
  const stamp = db.prepare(
    'INSERT INTO code_recent_puts (kind, sha, stored_at) VALUES (?, ?, ?) ON CONFLICT (kind, sha) DO UPDATE SET stored_at = max(stored_at, excluded.stored_at)',
  );
  const dropZips = db.prepare(`
    DELETE FROM code_zips WHERE
      NOT EXISTS (SELECT 1 FROM function_versions v WHERE v.code_sha256 = code_zips.code_sha256) AND
      NOT EXISTS (SELECT 1 FROM code_recent_puts p WHERE p.kind = 'zip' AND p.sha = code_zips.code_sha256 AND p.stored_at >= ?)`);
  const dropBundles = db.prepare(`
    DELETE FROM code_bundles WHERE
      NOT EXISTS (SELECT 1 FROM function_versions v WHERE v.bundle_sha256 = code_bundles.bundle_sha256) AND
      NOT EXISTS (SELECT 1 FROM code_recent_puts p WHERE p.kind = 'bundle' AND p.sha = code_bundles.bundle_sha256 AND p.stored_at >= ?)`);
  const forgetOldPuts = db.prepare('DELETE FROM code_recent_puts WHERE stored_at < ?');

  const put = db.transaction((kind: Kind, sha: string, content: Buffer | string) => {
    (kind === 'zip' ? insertZip : insertBundle).run(sha, content);
    stamp.run(kind, sha, clock.now());
  });
  const collect = db.transaction((storedBefore: number) => {
    const counts = { zips: dropZips.run(storedBefore).changes, bundles: dropBundles.run(storedBefore).changes };
    forgetOldPuts.run(storedBefore);
    return counts;
  });

  return {
    async putZip(sha, zip) {
      put('zip', sha, Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
    async getZip(sha) {
      const row = getZip.get(sha);
      return row && new Uint8Array(row.zip);
    },
    async putBundle(sha, bundle) {
      put('bundle', sha, bundle);
    },
    async getBundle(sha) {
      return getBundle.get(sha)?.bundle;
    },
    async collectGarbage(storedBefore) {
      return collect(storedBefore);
    },
  };
}
