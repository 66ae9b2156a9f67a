/**
 * @module The control module: its settings (the admin key, the code grace period), the account,
 * function and alias services, the admin account (made on first start), and the timed sweep of
 * unreferenced code.
 */
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { IdSource } from '../shared/ids.ts';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import type { Stores } from '../store/index.ts';
import { createAccountService, type AccountService, type Credentials } from './accounts.ts';
import { createAliasService, type AliasService } from './aliases.ts';
import { createCodeCollector } from './code-collector.ts';
import { createEgressService, type EgressService } from './egress.ts';
import { createFunctionService, type FunctionService } from './functions.ts';
import { createTagService, type TagService } from './tags.ts';
import type { PackageBuilder } from './types.ts';

export const controlSettings = defineSettings({
  rootAccessKeyId: { env: 'STRATUS_ROOT_ACCESS_KEY_ID', rule: z.string().optional() },
  rootSecretAccessKey: { env: 'STRATUS_ROOT_SECRET_ACCESS_KEY', rule: z.string().optional() },
  // A deploy writes its version a moment after storing its code; minutes leave room for a slow disk.
  codeGraceSeconds: {
    env: 'STRATUS_CODE_GRACE_SECONDS',
    rule: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(600),
  },
});

export type ControlSettings = ReturnType<typeof controlSettings.read>;

/** Timed code sweeps run once per grace period, but never more often than this. */
const MIN_CODE_SWEEP_INTERVAL_MS = 60_000;

export interface ControlModuleDeps {
  stores: Pick<Stores, 'accounts' | 'functions' | 'code'>;
  builder: PackageBuilder;
  /** Told when a function's code or configuration changed or it was deleted. */
  onChange(accountId: string, functionName: string): void;
  /** Runtimes the node's engines serve. */
  runtimes: readonly string[];
  clock: Clock;
  ids: IdSource;
  region: string;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface ControlServices {
  accounts: AccountService;
  functions: FunctionService;
  aliases: AliasService;
  tags: TagService;
  egress: EgressService;
  /** The admin account's key (the same on every start) and whether this start created it. */
  root: { credentials: Credentials; created: boolean };
}

export async function createControlModule(deps: ControlModuleDeps, config: ControlSettings): Promise<Module<ControlServices>> {
  const { stores, clock, ids, region } = deps;
  const accounts = createAccountService({ store: stores.accounts, clock });
  const codeCollector = createCodeCollector({ code: stores.code, clock, graceMs: config.codeGraceSeconds * 1000, log: deps.log });
  // Code left behind by a crash or a failed deploy goes at startup; code released while still in its grace period, on the timer.
  await codeCollector.collect();
  const functions = createFunctionService({
    functions: stores.functions,
    code: stores.code,
    builder: deps.builder,
    clock,
    ids,
    region,
    runtimes: deps.runtimes,
    onChange: deps.onChange,
    collectCode: codeCollector.collect,
  });
  const aliases = createAliasService({ functions: stores.functions, ids, region });
  const tags = createTagService({ functions: stores.functions, ids, region });
  const egress = createEgressService({ functions: stores.functions, clock, ids, region, onChange: deps.onChange });
  const root = await accounts.ensureRoot({ accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey });
  const credentials = await accounts.rootCredentials(root.account.id, config.rootAccessKeyId);
  const codeSweep = setInterval(() => void codeCollector.collect(), Math.max(config.codeGraceSeconds * 1000, MIN_CODE_SWEEP_INTERVAL_MS));
  codeSweep.unref();
  return {
    services: { accounts, functions, aliases, tags, egress, root: { credentials, created: 'accessKeyId' in root } },
    close: () => clearInterval(codeSweep),
  };
}
