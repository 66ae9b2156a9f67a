/**
 * @module STRATUS_DATABASE_URL: checked before any connection is tried, and shown only without its
 * password (logs and errors name the database, never the secret that opens it).
 */
const SHAPE = 'postgres://user[:password]@host[:port]/database';

/** What is wrong with the URL, for a one-line error; undefined when it can be used. The URL itself is never quoted. */
export function databaseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL: expected ${SHAPE}`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `must start with postgres:// or postgresql:// (it starts with ${url.protocol}//): expected ${SHAPE}`;
  if (url.hostname === '' && !url.searchParams.has('host')) return `names no host: expected ${SHAPE}`;
  if (url.port !== '' && Number(url.port) === 0) return 'names port 0: use the port PostgreSQL listens on (5432 by default)';
  try {
    // The driver decodes these parts, and throws on a bad %-escape: caught here, before a connection is tried.
    for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
  } catch {
    return `cannot be read (check the %-escapes of special characters in the user and password): expected ${SHAPE}`;
  }
  return undefined;
}

/** The URL as logs and errors may show it: user, host, port and database, without password or parameters. */
export function displayDatabaseUrl(text: string): string {
  try {
    const url = new URL(text);
    const user = url.username === '' ? '' : `${url.username}@`;
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return 'the database URL';
  }
}

/** Removes the URL's password, in both its written and its decoded form, from a text about to be shown. */
export function withoutPassword(text: string, databaseUrl: string): string {
  let password = '';
  try {
    password = new URL(databaseUrl).password;
  } catch {
    return text;
  }
  if (password === '') return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // an undecodable password is only ever present in its written form
  }
  return [password, decoded].reduce((t, secret) => t.split(secret).join('[redacted]'), text);
}
