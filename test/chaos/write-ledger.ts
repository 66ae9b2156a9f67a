/** @module The SIGKILL test's clients: concurrent control-plane writers that record every write the server acknowledged and the one each had in flight when it died. */
import type { RawResponse } from '../support/signed-fetch.ts';
import { zipOf } from '../support/server.ts';

export type Call = (method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<RawResponse>;
export type Credentials = { accessKeyId: string; secretAccessKey: string };

/** One setting as a client saw it: the value last acknowledged, and the value of a write sent but never answered. */
export interface Field<T> {
  acked?: T;
  pending?: T;
}

/** A published version as its acknowledgement described it. */
export interface VersionAck {
  code: number;
  gen: number;
  codeSha256: string;
}

export interface FunctionLedger {
  name: string;
  created: Field<true>;
  /** The number the handler's code returns, set by CreateFunction and UpdateFunctionCode. */
  code: Field<number>;
  /** The GEN environment variable, set by CreateFunction and UpdateFunctionConfiguration. */
  gen: Field<number>;
  /** MaxConcurrency of the tenancy limits. */
  limits: Field<number>;
  /** The version the alias `live` points at. */
  alias: Field<string>;
  versions: Map<string, VersionAck>;
  publishPending: boolean;
}

export interface AccountLedger {
  name: string;
  /** Set when CreateAccount was acknowledged. */
  credentials?: Credentials;
}

export const TENANT = 'chaos-tenant';
export const ALIAS = 'live';
export const codeOf = (code: number) => zipOf({ 'index.js': `exports.handler = async () => ({ code: ${code}, gen: Number(process.env.GEN) });` });
const zip64 = (code: number) => Buffer.from(codeOf(code)).toString('base64');

/** Everything all writers were told, across every kill; the check reads it after each restart. */
export class Ledger {
  readonly functions: FunctionLedger[] = [];
  readonly accounts: AccountLedger[] = [];
  acks = 0;
  inFlight = 0;
  private waiters: { at: number; resolve: () => void }[] = [];

  /** Resolves as the `n`-th acknowledgement from now arrives, before any other I/O is handled. */
  afterAcks(n: number): Promise<void> {
    const at = this.acks + n;
    return new Promise((resolve) => this.waiters.push({ at, resolve }));
  }

  /**
   * Sends one write: `before` records it as in flight, `after` as acknowledged once its whole
   * answer arrived. Returns false when the server never answered (it was killed). Any answer
   * other than `status` is a failure of the test: the server was up and refused a valid write.
   */
  async write(send: () => Promise<RawResponse>, status: number, before: () => void, after: (body: Record<string, unknown>) => void): Promise<boolean> {
    before();
    this.inFlight++;
    let res: RawResponse;
    try {
      res = await send();
    } catch {
      return false;
    } finally {
      this.inFlight--;
    }
    if (res.status !== status) throw new Error(`a write was refused while the server was up: ${res.status} ${res.text.slice(0, 300)}`);
    after(res.text === '' ? {} : res.json());
    this.acks++;
    for (const w of this.waiters.filter((w) => w.at <= this.acks)) w.resolve();
    this.waiters = this.waiters.filter((w) => w.at > this.acks);
    return true;
  }
}

const fnPath = (name: string, rest = '') => `/2015-03-31/functions/${name}${rest}`;

/**
 * One client's endless stream of writes on a function of its own (so no write fails for
 * another client's sake), until the server stops answering: create, then rounds of new code
 * (every `codeEvery`-th round; a build takes far longer than any other write), new configuration,
 * a published version, the alias moved to it, new tenancy limits, and every other round a new
 * account with its access key. Updates are conditional on the revision the last answer gave.
 */
export async function runWriter(call: Call, ledger: Ledger, name: string, codeEvery: number): Promise<void> {
  const fn: FunctionLedger = { name, created: {}, code: {}, gen: {}, limits: {}, alias: {}, versions: new Map(), publishPending: false };
  ledger.functions.push(fn);
  let revision = '';
  let aliasRevision: string | undefined;
  const create = JSON.stringify({
    FunctionName: name,
    Code: { ZipFile: zip64(0) },
    Environment: { Variables: { GEN: '0' } },
    TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
  });
  const created = await ledger.write(
    () => call('POST', fnPath(''), create),
    201,
    () => Object.assign(fn, { created: { pending: true }, code: { pending: 0 }, gen: { pending: 0 } }),
    (b) => {
      Object.assign(fn, { created: { acked: true }, code: { acked: 0 }, gen: { acked: 0 } });
      revision = String(b.RevisionId);
    },
  );
  if (!created) return;
  for (let g = 1; ; g++) {
    const steps: (() => Promise<boolean>)[] = [];
    if (codeEvery > 0 && g % codeEvery === 0) {
      steps.push(() =>
        ledger.write(
          () => call('PUT', fnPath(name, '/code'), JSON.stringify({ ZipFile: zip64(g), RevisionId: revision })),
          200,
          () => (fn.code.pending = g),
          (b) => {
            settle(fn.code);
            revision = String(b.RevisionId);
          },
        ),
      );
    }
    steps.push(
      () =>
        ledger.write(
          () => call('PUT', fnPath(name, '/configuration'), JSON.stringify({ Environment: { Variables: { GEN: String(g) } }, RevisionId: revision })),
          200,
          () => (fn.gen.pending = g),
          (b) => {
            settle(fn.gen);
            revision = String(b.RevisionId);
          },
        ),
      () =>
        ledger.write(
          () => call('POST', fnPath(name, '/versions'), '{}'),
          201,
          () => (fn.publishPending = true),
          (b) => {
            fn.versions.set(String(b.Version), { code: fn.code.acked!, gen: fn.gen.acked!, codeSha256: String(b.CodeSha256) });
            fn.publishPending = false;
          },
        ),
      () => {
        const version = String(Math.max(...[...fn.versions.keys()].map(Number)));
        const first = aliasRevision === undefined;
        const send = first
          ? () => call('POST', fnPath(name, '/aliases'), JSON.stringify({ Name: ALIAS, FunctionVersion: version }))
          : () => call('PUT', fnPath(name, `/aliases/${ALIAS}`), JSON.stringify({ FunctionVersion: version, RevisionId: aliasRevision }));
        return ledger.write(
          send,
          first ? 201 : 200,
          () => (fn.alias.pending = version),
          (b) => {
            settle(fn.alias);
            aliasRevision = String(b.RevisionId);
          },
        );
      },
      () =>
        ledger.write(
          () => call('PUT', `/stratus/v1/functions/${name}/tenancy-limits`, JSON.stringify({ MaxConcurrency: g })),
          200,
          () => (fn.limits.pending = g),
          () => settle(fn.limits),
        ),
    );
    if (g % 2 === 0) {
      const account: AccountLedger = { name: `${name}-a${g}` };
      steps.push(() =>
        ledger.write(
          () => call('POST', '/stratus/v1/accounts', JSON.stringify({ Name: account.name })),
          201,
          () => ledger.accounts.push(account),
          (b) => {
            account.credentials = { accessKeyId: String(b.AccessKeyId), secretAccessKey: String(b.SecretAccessKey) };
          },
        ),
      );
    }
    for (const step of steps) if (!(await step())) return;
  }
}

/** The write was acknowledged: its value is now the one the server must keep. */
function settle<T>(field: Field<T>): void {
  field.acked = field.pending;
  field.pending = undefined;
}
