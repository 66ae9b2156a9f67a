/** @module Payload stage: the event must be a JSON document (an empty body is `{}`), as Lambda requires. */
import { stratusError } from '../../shared/errors.ts';
import type { Stage } from '../invocation.ts';

export function parsePayload(raw: Uint8Array): string {
  if (raw.length === 0) return '{}';
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw stratusError('INVOKE_PAYLOAD_INVALID', { detail });
  }
  return text;
}

export const payloadStage: Stage = (ctx, next) => {
  ctx.payload = parsePayload(ctx.rawPayload);
  return next();
};
