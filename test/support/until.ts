/** @module Waiting in tests for a state the code exposes, polled against a deadline: the alternative to a fixed sleep. */
import { signedFetch } from './signed-fetch.ts';

/** Resolves once `check` holds, polling every `everyMs`; fails naming `what` after `ms`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The node's counters (GET /stratus/v1/node), read with the root credentials. */
export async function nodeStats(server: { url: string; rootCredentials: { accessKeyId: string; secretAccessKey: string } }): Promise<Record<string, number>> {
  const res = await signedFetch(server.url, 'GET', '/stratus/v1/node', undefined, { credentials: server.rootCredentials });
  if (res.status !== 200) throw new Error(`GET /stratus/v1/node answered ${res.status}: ${res.text}`);
  return res.json() as Record<string, number>;
}
