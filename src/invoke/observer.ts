/** @module What the invocation pipeline reports as it runs, for metrics and per-tenant statistics. */

export interface InvocationObserver {
  /** One finished invocation (any outcome that ran or tried to run the handler). */
  invoked(e: { accountId: string; functionName: string; tenantId?: string; outcome: 'success' | 'error'; durationMs: number; cold: boolean }): void;
  /** One invocation refused by a tenant limit or by capacity (HTTP 429). */
  throttled(e: { accountId: string; functionName: string; tenantId?: string; reason: 'concurrency' | 'rate' | 'capacity' }): void;
}

export const noObserver: InvocationObserver = { invoked: () => {}, throttled: () => {} };
