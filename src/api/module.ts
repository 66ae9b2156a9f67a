/** @module The API module: its settings (address, metrics token, control-plane slots, body budgets) and the HTTP server, listening. */
import os from 'node:os';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createFairScheduler } from '../invoke/index.ts';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import { createCodeLinks } from './code-links.ts';
import type { ApiDeps } from './context.ts';
import { buildServer } from './server.ts';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const apiSettings = defineSettings({
  host: { env: 'STRATUS_HOST', rule: z.string().min(1).default('127.0.0.1') },
  port: { env: 'STRATUS_PORT', rule: intIn(0, 65535).default(9070) },
  metricsToken: { env: 'STRATUS_METRICS_TOKEN', rule: z.string().min(16).optional() },
  controlSlots: { env: 'STRATUS_CONTROL_SLOTS', rule: intIn(1, 10_000).default(4 * os.availableParallelism()) },
  // One code upload (70 MB) and some invocations per key; a few keys' worth per node.
  bodyMbPerKey: { env: 'STRATUS_BODY_MB_PER_KEY', rule: intIn(1, 100_000).default(80) },
  bodyMb: { env: 'STRATUS_BODY_MB', rule: intIn(1, 1_000_000).default(256) },
});

export type ApiSettings = ReturnType<typeof apiSettings.read>;

/** What the routes need that other modules provide (the rest of ApiDeps is made here from the settings). */
export interface ApiModuleDeps extends Omit<ApiDeps, 'codeLinks' | 'metricsToken' | 'controlAdmission' | 'bodyBudget'> {
  logger: Logger;
}

export interface ApiServices {
  /** Where the server listens, e.g. http://127.0.0.1:9070. */
  url: string;
}

export async function createApiModule(deps: ApiModuleDeps, config: ApiSettings): Promise<Module<ApiServices>> {
  // Control-plane requests: their own slots, account first, so a burst of them cannot stall invocations or other accounts.
  const controlAdmission = createFairScheduler({ slots: config.controlSlots });
  const app = buildServer({
    ...deps,
    codeLinks: createCodeLinks(),
    metricsToken: config.metricsToken,
    controlAdmission,
    bodyBudget: { perKeyBytes: config.bodyMbPerKey * 1048576, nodeBytes: config.bodyMb * 1048576 },
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return { services: { url }, close: () => app.close() };
}
