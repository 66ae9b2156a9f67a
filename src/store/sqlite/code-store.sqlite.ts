/** @module CodeStore on SQLite: content-addressed zips and bundles (identical uploads are stored once). */
import type { CodeStore } from '../ports.ts';
import type { SqliteDb } from './database.sqlite.ts';

export function createSqliteCodeStore(db: SqliteDb): CodeStore {
  const putZip = db.prepare('INSERT OR IGNORE INTO code_zips (code_sha256, zip) VALUES (?, ?)');
  const getZip = db.prepare<[string], { zip: Buffer }>('SELECT zip FROM code_zips WHERE code_sha256 = ?');
  const putBundle = db.prepare('INSERT OR IGNORE INTO code_bundles (bundle_sha256, bundle) VALUES (?, ?)');
  const getBundle = db.prepare<[string], { bundle: string }>('SELECT bundle FROM code_bundles WHERE bundle_sha256 = ?');
  return {
    async putZip(sha, zip) {
      putZip.run(sha, Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
    async getZip(sha) {
      const row = getZip.get(sha);
      return row && new Uint8Array(row.zip);
    },
    async putBundle(sha, bundle) {
      putBundle.run(sha, bundle);
    },
    async getBundle(sha) {
      return getBundle.get(sha)?.bundle;
    },
  };
}
