/** @module The SigV4 gate: every route but the public ones is signed by a known access key of a live account. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../control/index.ts';
import type { Clock } from '../shared/clock.ts';
import { stratusError } from '../shared/errors.ts';
import { bodySha256 } from './body.ts';
import { createSignatureVerifier, parseAuthorization, type ParsedAuth } from './sigv4.ts';

const pending = new WeakMap<FastifyRequest, { auth: ParsedAuth; secret: string }>();

/** The access key a request is signed with, once its headers checked out (before its body is read). */
export function accessKeyOf(request: FastifyRequest): string | undefined {
  return pending.get(request)?.auth.accessKeyId;
}

export function installAuth(app: FastifyInstance, deps: { accounts: AccountService; clock: Clock; region: string; publicPrefixes: string[] }): void {
  const verifySignature = createSignatureVerifier();
  // A prefix ending in '/' covers the paths under it; any other public path matches exactly (query allowed).
  const isPublic = (url: string) => deps.publicPrefixes.some((p) => (p.endsWith('/') ? url.startsWith(p) : url === p || url.startsWith(`${p}?`)));

  // Header checks and the key lookup happen before the body is read, so an unsigned client cannot make us buffer it.
  app.addHook('onRequest', async (request) => {
    if (isPublic(request.url)) return;
    const auth = parseAuthorization(request.headers, deps.region, deps.clock.now());
    const found = await deps.accounts.lookupKey(auth.accessKeyId);
    if (!found) throw stratusError('AUTH_UNKNOWN_KEY');
    pending.set(request, { auth, secret: found.secretAccessKey });
    request.account = found.account;
  });

  // The signature covers the body hash, so it is checked once the body is in, before any other work.
  app.addHook('preHandler', async (request) => {
    if (isPublic(request.url)) return;
    const p = pending.get(request);
    if (!p) throw stratusError('AUTH_MISSING');
    await verifySignature(
      {
        method: request.method,
        url: request.raw.url ?? request.url,
        headers: request.headers,
        body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
        bodySha256: bodySha256(request),
      },
      p.auth,
      p.secret,
    );
  });
}
