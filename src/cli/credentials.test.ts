import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localServersDir, recordLocalServer } from '../shared/local-servers.ts';
import { credentialsFilePath, parseCredentialsFile, resolveCredentials, type CredentialsContext } from './credentials.ts';

const FILE = `
# written by stratus
[stratus]
aws_access_key_id = AKSTRATUS
aws_secret_access_key = secret/with=equals

; another one
[profile dev]
AWS_ACCESS_KEY_ID=AKDEV
aws_secret_access_key=devsecret
aws_session_token = tok

[broken]
aws_access_key_id = AKONLY
`;

describe('parseCredentialsFile', () => {
  it('reads sections, keys case-insensitively, values containing "=" and the [profile x] spelling', () => {
    const profiles = parseCredentialsFile(FILE);
    expect([...profiles.keys()]).toEqual(['stratus', 'dev', 'broken']);
    expect(profiles.get('stratus')?.get('aws_secret_access_key')).toBe('secret/with=equals');
    expect(profiles.get('dev')?.get('aws_access_key_id')).toBe('AKDEV');
  });

  it('handles CRLF line endings and ignores lines outside sections', () => {
    const profiles = parseCredentialsFile('stray = 1\r\n[a]\r\naws_access_key_id = X\r\n');
    expect(profiles.get('a')?.get('aws_access_key_id')).toBe('X');
    expect(profiles.size).toBe(1);
  });
});

describe('resolveCredentials', () => {
  let dir: string;
  let ctx: CredentialsContext;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-cred-'));
    mkdirSync(join(dir, 'home', '.aws'), { recursive: true });
    mkdirSync(join(dir, 'cwd'));
    writeFileSync(join(dir, 'home', '.aws', 'credentials'), FILE);
    ctx = { env: {}, cwd: join(dir, 'cwd'), home: join(dir, 'home') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the stratus profile of ~/.aws/credentials by default', () => {
    expect(resolveCredentials(ctx)).toEqual({ accessKeyId: 'AKSTRATUS', secretAccessKey: 'secret/with=equals' });
  });

  it('picks the profile from --profile over AWS_PROFILE', () => {
    expect(resolveCredentials({ ...ctx, env: { AWS_PROFILE: 'broken' }, profile: 'dev' })).toEqual({
      accessKeyId: 'AKDEV',
      secretAccessKey: 'devsecret',
      sessionToken: 'tok',
    });
    expect(() => resolveCredentials({ ...ctx, env: { AWS_PROFILE: 'broken' } })).toThrow(/needs both aws_access_key_id and aws_secret_access_key/);
  });

  it('names the missing profile, the file and the profiles that do exist', () => {
    const file = join(ctx.home, '.aws', 'credentials');
    expect(() => resolveCredentials({ ...ctx, profile: 'prod' })).toThrow(
      `profile "prod" not found in ${file} (profiles there: stratus, dev, broken); choose one with --profile or AWS_PROFILE`,
    );
  });

  it('says how to get keys when there is no file and no env keys', () => {
    rmSync(join(ctx.home, '.aws'), { recursive: true });
    expect(() => resolveCredentials(ctx)).toThrow(/no credentials: .* does not exist and AWS_ACCESS_KEY_ID/);
  });

  it('lets AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY win over the file, but only when both are set', () => {
    const both = { AWS_ACCESS_KEY_ID: 'AKENV', AWS_SECRET_ACCESS_KEY: 'envsecret' };
    expect(resolveCredentials({ ...ctx, env: both, profile: 'dev' })).toEqual({ accessKeyId: 'AKENV', secretAccessKey: 'envsecret' });
    expect(resolveCredentials({ ...ctx, env: { AWS_ACCESS_KEY_ID: 'AKENV' } }).accessKeyId).toBe('AKSTRATUS');
  });

  it('uses the credentials file of the server running at a local endpoint, wherever its data folder is', () => {
    writeFileSync(join(dir, 'elsewhere-credentials'), '[stratus]\naws_access_key_id=AKSERVER\naws_secret_access_key=s\n');
    recordLocalServer(localServersDir(ctx.env, ctx.home), { port: 9444, url: 'http://127.0.0.1:9444', credentialsFile: join(dir, 'elsewhere-credentials'), pid: process.pid });
    mkdirSync(join(ctx.cwd, '.stratus'));
    writeFileSync(join(ctx.cwd, '.stratus', 'credentials'), '[stratus]\naws_access_key_id=AKLOCAL\naws_secret_access_key=s\n');
    const local = { ...ctx, endpoint: new URL('http://localhost:9444') };

    expect(resolveCredentials(local).accessKeyId).toBe('AKSERVER');
    // Not for another port, a remote server or another profile; an explicit file still wins.
    expect(resolveCredentials({ ...local, endpoint: new URL('http://127.0.0.1:9445') }).accessKeyId).toBe('AKLOCAL');
    expect(resolveCredentials({ ...local, endpoint: new URL('https://stratus.example.com:9444') }).accessKeyId).toBe('AKLOCAL');
    rmSync(join(ctx.cwd, '.stratus'), { recursive: true });
    expect(resolveCredentials({ ...local, profile: 'dev' }).accessKeyId).toBe('AKDEV');
    writeFileSync(join(dir, 'explicit'), '[stratus]\naws_access_key_id=AKEXPLICIT\naws_secret_access_key=s\n');
    expect(resolveCredentials({ ...local, env: { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'explicit') } }).accessKeyId).toBe('AKEXPLICIT');
  });

  it('names the variable that fixes a missing credentials file, and the server it was for', () => {
    rmSync(join(ctx.home, '.aws'), { recursive: true });
    expect(() => resolveCredentials({ ...ctx, endpoint: new URL('http://127.0.0.1:9444') })).toThrow(
      `no credentials for http://127.0.0.1:9444: ${join(ctx.home, '.aws', 'credentials')} does not exist and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; ` +
        'set AWS_SHARED_CREDENTIALS_FILE to the credentials file the server printed when it started (<data-dir>/credentials, profile stratus), ' +
        'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (`stratus accounts create` makes keys for a new account)',
    );
  });

  it('prefers AWS_SHARED_CREDENTIALS_FILE, then ./.stratus/credentials, then ~/.aws/credentials', () => {
    const home = join(ctx.home, '.aws', 'credentials');
    expect(credentialsFilePath(ctx)).toBe(home);

    mkdirSync(join(ctx.cwd, '.stratus'));
    writeFileSync(join(ctx.cwd, '.stratus', 'credentials'), '[stratus]\naws_access_key_id=AKLOCAL\naws_secret_access_key=s\n');
    expect(credentialsFilePath(ctx)).toBe(join(ctx.cwd, '.stratus', 'credentials'));
    expect(resolveCredentials(ctx).accessKeyId).toBe('AKLOCAL');

    writeFileSync(join(dir, 'explicit'), '[stratus]\naws_access_key_id=AKEXPLICIT\naws_secret_access_key=s\n');
    const explicit = { ...ctx, env: { AWS_SHARED_CREDENTIALS_FILE: '../explicit' } };
    expect(credentialsFilePath(explicit)).toBe(join(dir, 'explicit'));
    expect(resolveCredentials(explicit).accessKeyId).toBe('AKEXPLICIT');
  });
});
