/**
 * @module Request bodies: read as a stream under the route's size limit into memory and into a
 * SHA-256 (SigV4 signs the body's hash, and Lambda's clients send no X-Amz-Content-Sha256, so the
 * body must be read before the signature can be checked). Bytes are counted as they arrive against
 * a budget per access key and one per node, and a body that arrives slower than a minimum rate is
 * cut off: a client that knows only an access key id can hold little memory, and only briefly.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stratusError } from '../shared/errors.ts';

export interface BodyBudget {
  /** Bytes of request bodies one access key may have in flight (being read or held). */
  perKeyBytes: number;
  /** Bytes of request bodies the node may have in flight. */
  nodeBytes: number;
}

/**
 * A body must keep arriving at least this fast, measured over successive windows: a client that
 * sends a burst and then holds the connection is cut off within a window or two, not after its
 * average has decayed.
 */
const MIN_BYTES_PER_SECOND = 16 * 1024;
const WINDOW_MS = 3_000;
const SWEEP_MS = 1_000;

const hashes = new WeakMap<FastifyRequest, string>();

/** The hex SHA-256 of a request's body, computed while it was read (undefined: no body). */
export function bodySha256(request: FastifyRequest): string | undefined {
  return hashes.get(request);
}

interface Intake {
  startedAt: number;
  received: number;
  /** Start of the current rate window, and the bytes received when it began. */
  windowAt: number;
  windowBytes: number;
  cut(): void;
}

/**
 * Replaces Fastify's body parsers with one streaming reader for every content type. `keyOf` names
 * the access key a request claims (set by authentication, which runs before the body is read).
 */
export function installBodyIntake(app: FastifyInstance, budget: BodyBudget, keyOf: (request: FastifyRequest) => string | undefined): void {
  const perKey = new Map<string, number>();
  let node = 0;
  const reading = new Set<Intake>();
  // The parser is given the request only; what a request holds is given back when its reply closes.
  const replies = new WeakMap<FastifyRequest, FastifyReply>();
  app.addHook('onRequest', async (request, reply) => {
    replies.set(request, reply);
  });
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const intake of reading) {
      const span = now - intake.windowAt;
      if (span < WINDOW_MS) continue;
      if (intake.received - intake.windowBytes < (span / 1000) * MIN_BYTES_PER_SECOND) intake.cut();
      else Object.assign(intake, { windowAt: now, windowBytes: intake.received });
    }
  }, SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  const take = (key: string, bytes: number) => {
    perKey.set(key, (perKey.get(key) ?? 0) + bytes);
    node += bytes;
  };
  const give = (key: string, bytes: number) => {
    node -= bytes;
    const left = (perKey.get(key) ?? bytes) - bytes;
    if (left <= 0) perKey.delete(key);
    else perKey.set(key, left);
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    /**
     * Answers with `err` and reads nothing more of this body: the connection goes once the answer
     * is out (otherwise Node would read and drop the rest of it to keep the connection open).
     */
    const refuse = (err: Error) => {
      payload.pause();
      const reply = replies.get(request);
      reply?.header('connection', 'close');
      reply?.raw.once('finish', () => request.raw.socket?.destroy());
      done(err, undefined);
    };
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const declared = request.headers['content-length'];
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
      return refuse(stratusError('REQUEST_INVALID_CONTENT.contentLength'));
    }
    if (length !== undefined && length > limit) return refuse(tooLarge(limit, length));

    const key = keyOf(request) ?? '';
    let held = 0;
    replies.get(request)?.raw.once('close', () => give(key, held));
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    const startedAt = Date.now();
    const intake: Intake = { startedAt, received: 0, windowAt: startedAt, windowBytes: 0, cut: () => finish(tooSlow(intake.received, Date.now() - intake.startedAt)) };
    let finished = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      reading.delete(intake);
      payload.removeListener('data', onData);
      if (err) return refuse(err);
      hashes.set(request, hash.digest('hex'));
      done(null, body);
    };
    const onData = (chunk: Buffer) => {
      intake.received += chunk.length;
      if (intake.received > limit || (length !== undefined && intake.received > length)) return finish(tooLarge(limit, intake.received));
      if ((perKey.get(key) ?? 0) + chunk.length > budget.perKeyBytes) return finish(busy('key'));
      if (node + chunk.length > budget.nodeBytes) return finish(busy('node'));
      take(key, chunk.length);
      held += chunk.length;
      hash.update(chunk);
      chunks.push(chunk);
    };
    reading.add(intake);
    payload.on('data', onData);
    payload.once('end', () => {
      if (length !== undefined && intake.received !== length) {
        return finish(stratusError('REQUEST_INVALID_CONTENT.truncated', { received: intake.received, declared: length }));
      }
      finish(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, intake.received));
    });
    payload.once('error', (err) => finish(err));
  });
}

function tooLarge(limit: number, got: number) {
  return stratusError('REQUEST_TOO_LARGE.operation', { limit, got });
}

function tooSlow(received: number, ms: number) {
  return stratusError('REQUEST_TOO_SLOW', { received, seconds: Math.round(ms / 1000), minKbPerSecond: MIN_BYTES_PER_SECOND / 1024, windowSeconds: WINDOW_MS / 1000 });
}

function busy(which: 'key' | 'node') {
  return stratusError(which === 'key' ? 'REQUEST_THROTTLED.keyBodyBytes' : 'REQUEST_THROTTLED.nodeBodyBytes');
}
