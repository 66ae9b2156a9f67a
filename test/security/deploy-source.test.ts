// A deploy folder laid out to leak: .env files, links to secrets outside it, a Stratus data folder under
// another name. Whatever route is taken, no secret may reach the zip that `stratus deploy` uploads.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zipSource } from '../../src/cli/zip.ts';

const SECRETS = {
  dotenv: 'DOTENV-SECRET-4b1d',
  dotenvNested: 'DOTENV-PROD-SECRET-77aa',
  outsideFolder: 'OUTSIDE-FOLDER-SECRET-91c2',
  outsideFile: 'OUTSIDE-FILE-SECRET-0e5f',
  database: 'DATABASE-ACCOUNT-KEY-3f80',
  credentials: 'ADMIN-CREDENTIALS-KEY-c6d1',
  workspaceEnv: 'WORKSPACE-DOTENV-SECRET-58e0',
  workspaceData: 'WORKSPACE-DATA-KEY-a2b9',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratus-deploy-source-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function link(target: string, path: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  symlinkSync(target, join(dir, path));
}

/** Every secret found anywhere in the archive: raw bytes, entry names and unzipped contents. */
function leakedSecrets(zip: Uint8Array): string[] {
  const entries = unzipSync(zip);
  const haystack = [Buffer.from(zip).toString('latin1'), ...Object.keys(entries), ...Object.values(entries).map((bytes) => strFromU8(bytes))].join('\n');
  return Object.values(SECRETS).filter((secret) => haystack.includes(secret));
}

describe('deploy source: nothing secret reaches the uploaded zip', () => {
  it('a folder with .env files, links to secrets outside and a renamed data folder ships only its code', async () => {
    write('app/index.js', "import { two } from './lib/util.js'; export const handler = () => two;");
    write('app/lib/util.js', 'export const two = 2;');
    write('app/node_modules/dep/index.js', 'module.exports = 3;');
    write('app/.env', `TOKEN=${SECRETS.dotenv}\n`);
    write('app/config/.env.production', `TOKEN=${SECRETS.dotenvNested}\n`);
    link('../.env', 'app/config/settings.json'); // an innocent name for the top-level .env
    write('outside/id_rsa', SECRETS.outsideFolder);
    write('outside-file.txt', SECRETS.outsideFile);
    link(join(dir, 'outside'), 'app/home');
    link('../../outside-file.txt', 'app/lib/notes.txt');
    link('/etc', 'app/etc');
    link('/', 'app/node_modules/root');
    write('app/state/stratus.db', `SQLite format 3\0${SECRETS.database}`);
    write('app/state/credentials', `[stratus]\naws_secret_access_key = ${SECRETS.credentials}\n`);
    link('../state', 'app/node_modules/state-alias'); // the data folder again, under a second name

    const result = await zipSource(join(dir, 'app'));
    expect(leakedSecrets(result.zip)).toEqual([]);
    expect(Object.keys(unzipSync(result.zip)).sort()).toEqual(['index.js', 'lib/util.js', 'node_modules/dep/index.js']);
    expect(result.skipped.map((s) => `${s.path}: ${s.reason}`)).toEqual([
      '.env: secrets file',
      'config/.env.production: secrets file',
      'config/settings.json: secrets file',
      'etc: symbolic link',
      'home: symbolic link',
      'lib/notes.txt: symbolic link',
      'node_modules/root: symbolic link',
      'node_modules/state-alias: Stratus data folder',
      'state: Stratus data folder',
    ]);
  });

  it('a link to the npm workspace root reaches its packages but not its .env or its data folder', async () => {
    write('ws/package.json', JSON.stringify({ private: true, workspaces: ['packages/*'] }));
    write('ws/.env', `TOKEN=${SECRETS.workspaceEnv}\n`);
    write('ws/.stratus/stratus.db', SECRETS.workspaceData);
    write('ws/.stratus/credentials', SECRETS.credentials);
    write('ws/packages/shared/index.js', 'export const shared = 1;');
    write('ws/packages/fn/index.js', "import { shared } from 'shared'; export const handler = () => shared;");
    link('../../shared', 'ws/packages/fn/node_modules/shared');
    link('../../..', 'ws/packages/fn/node_modules/whole-workspace');

    const result = await zipSource(join(dir, 'ws', 'packages', 'fn'));
    expect(leakedSecrets(result.zip)).toEqual([]);
    expect(result.files).toContain('node_modules/shared/index.js');
    expect(result.files).toContain('node_modules/whole-workspace/packages/shared/index.js');
  });

  it('refuses the data folder itself and a .env named on its own', async () => {
    write('state/stratus.db', SECRETS.database);
    write('state/credentials', SECRETS.credentials);
    write('app/.env', SECRETS.dotenv);
    link('.env', 'app/env.txt');
    await expect(zipSource(join(dir, 'state'))).rejects.toThrow(/is a Stratus data folder/);
    await expect(zipSource(join(dir, 'state', 'credentials'))).rejects.toThrow(/is inside a Stratus data folder/);
    await expect(zipSource(join(dir, 'app', '.env'))).rejects.toThrow(/is a secrets file/);
    await expect(zipSource(join(dir, 'app', 'env.txt'))).rejects.toThrow(/is a secrets file/);
  });
});
