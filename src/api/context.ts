/** @module What routes share: their dependencies, the authenticated account, and FunctionName parsing. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRecord, AccountService, AliasService, FunctionService } from '../control/index.ts';
import { parseFunctionRef, functionArn } from '../control/index.ts';
import type { FlowPath, InvokeService } from '../invoke/index.ts';
import type { BodyBudget } from './body.ts';
import type { TenantStat } from '../invoke/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { CodeLinks } from './code-links.ts';
import { stratusError } from '../shared/errors.ts';

/** A bounded number of requests at work on the node; waiting ones are served account first, then function, then tenant. */
export interface Admission {
  acquire(flow: FlowPath, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void>;
}

export interface ApiDeps {
  accounts: AccountService;
  functions: FunctionService;
  aliases: AliasService;
  invoke: InvokeService;
  clock: Clock;
  region: string;
  /** Signs and checks the short-lived code download links GetFunction returns. */
  codeLinks: CodeLinks;
  /** This node's environments and scheduler, for operators (admin only). */
  nodeStats(): Record<string, number>;
  metrics: MetricsReader;
  /** Fair admission of invocations whose signature checked out: a bounded number in flight on the node. */
  admission: Admission;
  /** Fair admission of every other signed request (the control plane), account first. */
  controlAdmission: Admission;
  /** Request bodies' bytes in flight, per access key and per node. */
  bodyBudget: BodyBudget;
  /** Told the flow of every invocation whose signature checked out: the load governor paces only while two or more compete. */
  activeFlow?: (flow: string) => void;
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

/** The function a route names, in any accepted form; another account's ARN is "not found". */
export function functionTarget(request: FastifyRequest, region: string): { accountId: string; name: string; qualifier?: string } {
  const account = callerOf(request);
  const { FunctionName } = request.params as { FunctionName: string };
  const query = request.query as { Qualifier?: string };
  const ref = parseFunctionRef(FunctionName);
  if (ref.qualifier !== undefined && query.Qualifier !== undefined && ref.qualifier !== query.Qualifier) {
    throw stratusError('REQUEST_INVALID_PARAMETER.qualifierConflict', { inName: ref.qualifier, inQuery: query.Qualifier });
  }
  if (ref.accountId !== undefined && ref.accountId !== account.id) {
    throw stratusError('FUNCTION_NOT_FOUND', { arn: functionArn(region, ref.accountId, ref.name) });
  }
  return { accountId: account.id, name: ref.name, qualifier: ref.qualifier ?? query.Qualifier };
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
