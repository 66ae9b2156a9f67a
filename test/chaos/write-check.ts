/** @module The SIGKILL test's check after a restart: every acknowledged write is there, and whatever else is there is whole (readable, downloadable, invocable). */
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { signedFetch } from '../support/signed-fetch.ts';
import { ALIAS, TENANT, type Call, type Field, type FunctionLedger, type Ledger } from './write-ledger.ts';

type Json = Record<string, unknown>;

/** What the check found wrong, one line each; empty when the server kept its word. */
export async function checkLedger(url: string, call: Call, ledger: Ledger): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Set((await pages(call, '/2015-03-31/functions', 'Functions')).map((f) => String(f.FunctionName)));
  for (const fn of ledger.functions) {
    if (fn.created.acked && !listed.has(fn.name)) problems.push(`${fn.name}: acknowledged CreateFunction, but the function is gone`);
    if (listed.has(fn.name)) problems.push(...(await checkFunction(call, fn)).map((p) => `${fn.name}: ${p}`));
  }
  for (const name of listed) {
    if (!ledger.functions.some((f) => f.name === name)) problems.push(`${name}: listed, but no client ever created it`);
  }

  const accounts = new Set(((await call('GET', '/stratus/v1/accounts')).json().Accounts as Json[]).map((a) => String(a.Name)));
  for (const account of ledger.accounts) {
    if (!account.credentials) continue; // never acknowledged: may or may not exist, and nobody holds its key
    if (!accounts.has(account.name)) problems.push(`account ${account.name}: acknowledged, but gone`);
    const own = await signedFetch(url, 'GET', '/2015-03-31/functions', undefined, { credentials: account.credentials });
    if (own.status !== 200) problems.push(`account ${account.name}: its acknowledged access key is refused (${own.status} ${own.text.slice(0, 200)})`);
  }
  return problems;
}

async function checkFunction(call: Call, fn: FunctionLedger): Promise<string[]> {
  const problems: string[] = [];
  const expectIn = <T>(what: string, actual: T | undefined, field: Field<T>) => {
    if (actual !== field.acked && (field.pending === undefined || actual !== field.pending)) {
      problems.push(`${what} is ${String(actual)}; acknowledged ${String(field.acked)}${field.pending === undefined ? '' : `, in flight ${String(field.pending)}`}`);
    }
  };

  const latest = await inspect(call, fn.name, '$LATEST');
  problems.push(...latest.problems);
  expectIn('$LATEST code', latest.code, fn.code);
  expectIn('$LATEST GEN', latest.gen, fn.gen);

  // Versions are numbered 1..n without gaps; all acknowledged ones are kept as acknowledged, and at most one more exists (a publish in flight).
  const versions = (await pages(call, `/2015-03-31/functions/${fn.name}/versions`, 'Versions')).map((v) => String(v.Version)).filter((v) => v !== '$LATEST');
  const numbers = versions.map(Number).sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) problems.push(`versions are not numbered 1..n: ${numbers.join(',')}`);
  const newest = Math.max(0, ...[...fn.versions.keys()].map(Number));
  if (numbers.length !== newest && !(fn.publishPending && numbers.length === newest + 1)) {
    problems.push(`${numbers.length} versions; acknowledged up to ${newest}${fn.publishPending ? ' with one in flight' : ''}`);
  }
  const seen = new Map<string, { code?: number; gen?: number }>();
  for (const version of versions) {
    const v = await inspect(call, fn.name, version);
    problems.push(...v.problems);
    seen.set(version, { code: v.code, gen: v.gen });
    const acked = fn.versions.get(version);
    if (acked && (v.code !== acked.code || v.gen !== acked.gen || v.codeSha256 !== acked.codeSha256)) {
      problems.push(`version ${version} runs code ${v.code} with GEN ${v.gen} (${v.codeSha256}); acknowledged code ${acked.code} with GEN ${acked.gen} (${acked.codeSha256})`);
    }
  }

  const alias = await call('GET', `/2015-03-31/functions/${fn.name}/aliases/${ALIAS}`);
  const target = alias.status === 200 ? String(alias.json().FunctionVersion) : undefined;
  if (alias.status !== 200 && alias.status !== 404) problems.push(`GetAlias answered ${alias.status}: ${alias.text.slice(0, 200)}`);
  expectIn(`alias ${ALIAS}`, target, fn.alias);
  if (target !== undefined) {
    if (!seen.has(target)) problems.push(`alias ${ALIAS} points at version ${target}, which does not exist`);
    const res = await invoke(call, fn.name, ALIAS);
    if (res.status !== 200 || JSON.stringify(res.json()) !== JSON.stringify(seen.get(target)))
      problems.push(`invoking alias ${ALIAS} answered ${res.status} ${res.text.slice(0, 200)}, not version ${target}'s result`);
  }

  const limits = await call('GET', `/stratus/v1/functions/${fn.name}/tenancy-limits`);
  if (limits.status !== 200) problems.push(`GetTenancyLimits answered ${limits.status}: ${limits.text.slice(0, 200)}`);
  else expectIn('MaxConcurrency', limits.json().MaxConcurrency as number | undefined, fn.limits);
  return problems;
}

/** Reads one version the ways a user would: its configuration, its code through the download link, and an invocation. */
async function inspect(call: Call, name: string, version: string): Promise<{ problems: string[]; code?: number; gen?: number; codeSha256?: string }> {
  const got = await call('GET', `/2015-03-31/functions/${name}?Qualifier=${encodeURIComponent(version)}`);
  if (got.status !== 200) return { problems: [`GetFunction ${version} answered ${got.status}: ${got.text.slice(0, 200)}`] };
  const body = got.json() as { Configuration: Json; Code: { Location: string } };
  const codeSha256 = String(body.Configuration.CodeSha256);
  const problems: string[] = [];
  const zip = await fetch(body.Code.Location);
  const bytes = new Uint8Array(await zip.arrayBuffer());
  if (zip.status !== 200 || createHash('sha256').update(bytes).digest('base64') !== codeSha256) {
    problems.push(`version ${version}: its code does not download as the CodeSha256 it reports (${zip.status})`);
  }
  const res = await invoke(call, name, version);
  if (res.status !== 200 || res.headers.get('x-amz-function-error'))
    return { problems: [...problems, `version ${version}: invocation answered ${res.status} ${res.text.slice(0, 200)}`], codeSha256 };
  const out = res.json() as { code: number; gen: number };
  if (zip.status === 200 && !strFromU8(unzipSync(bytes)['index.js'] ?? new Uint8Array()).includes(`code: ${out.code},`)) {
    problems.push(`version ${version}: runs code ${out.code}, which is not the code it downloads`);
  }
  const gen = Number((body.Configuration.Environment as { Variables?: Record<string, string> } | undefined)?.Variables?.GEN);
  if (gen !== out.gen) problems.push(`version ${version}: runs with GEN ${out.gen}, but its configuration says ${gen}`);
  return { problems, code: out.code, gen: out.gen, codeSha256 };
}

const invoke = (call: Call, name: string, qualifier: string) =>
  call('POST', `/2015-03-31/functions/${name}/invocations?Qualifier=${encodeURIComponent(qualifier)}`, '{}', { 'x-amz-tenant-id': TENANT });

/** Every item of a paginated list. */
async function pages(call: Call, path: string, key: string): Promise<Json[]> {
  const items: Json[] = [];
  let marker: string | undefined;
  do {
    const res = await call('GET', `${path}?MaxItems=50${marker ? `&Marker=${encodeURIComponent(marker)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
    const page = res.json();
    items.push(...(page[key] as Json[]));
    marker = page.NextMarker as string | undefined;
  } while (marker);
  return items;
}
