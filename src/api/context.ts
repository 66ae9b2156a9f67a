/** @module What routes share: their dependencies, the authenticated account, and FunctionName parsing. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRecord, AccountService, AliasService, EgressService, FunctionService, TagService } from '../control/index.ts';
import { qualifiedFunction, type QualifiedFunction } from '../control/index.ts';
import type { Admission, InvocationStages } from '../invoke/index.ts';
import type { BodyBudget } from './body.ts';
export type { Admission };
import type { TenantStat } from '../invoke/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { CodeLinks } from './code-links.ts';
import { stratusError } from '../shared/errors.ts';

export interface ApiDeps {
  accounts: AccountService;
  functions: FunctionService;
  aliases: AliasService;
  tags: TagService;
  egress: EgressService;
  /** The invocation pipeline's stages; each route composes the ones it needs. */
  stages: InvocationStages;
  clock: Clock;
  region: string;
  /** Signs and checks the short-lived code download links GetFunction returns. */
  codeLinks: CodeLinks;
  /** This node's environments and scheduler, for operators (admin only). */
  nodeStats(): Record<string, number>;
  metrics: MetricsReader;
  /** Fair admission of every signed request but invocations (the control plane), account first. */
  controlAdmission: Admission;
  /** Request bodies' bytes in flight, per access key and per node. */
  bodyBudget: BodyBudget;
  metricsToken?: string;
}

/** What the API reads of the invocation metrics. */
export interface MetricsReader {
  prometheus(): Promise<string>;
  tenantStats(accountId: string, functionName: string): TenantStat[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated route. */
    account?: AccountRecord;
  }
}

export function callerOf(request: FastifyRequest): AccountRecord {
  if (!request.account) throw stratusError('INTERNAL.unauthenticatedRoute');
  return request.account;
}

/** The function a route names, in any accepted form, parsed once; another account's ARN is "not found". */
export function functionTarget(request: FastifyRequest, region: string): QualifiedFunction & { accountId: string; name: string } {
  const { FunctionName } = request.params as { FunctionName: string };
  const ref = qualifiedFunction(callerOf(request).id, FunctionName, (request.query as { Qualifier?: string }).Qualifier, region);
  return { ...ref, accountId: ref.fn.accountId, name: ref.fn.name };
}

export function decodeZip(base64: string | undefined, field: string): Uint8Array {
  if (base64 === undefined || base64.length === 0) {
    throw stratusError('REQUEST_INVALID_PARAMETER.codeRequired', { field });
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/**
 * Gives an admission slot back when the response closes, however it closes: sent, failed, or the
 * client gone (the request stream is done once its body is read, so only the response can say).
 */
export function releaseWhenClosed(reply: FastifyReply, release: () => void): void {
  if (reply.raw.closed || reply.raw.destroyed) release();
  else reply.raw.once('close', release);
}

/**
 * Aborted when the client goes away before its answer is sent, so long work done for it (a code
 * build) stops. A response's 'close' before it finished writing means the connection is gone.
 */
export function whileClientWaits(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
