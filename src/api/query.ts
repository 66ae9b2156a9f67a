/** @module Query strings: one value per parameter, and a parameter given twice is a 400 instead of an array a route does not expect. */
import type { FastifyRequest } from 'fastify';
import { stratusError } from '../shared/errors.ts';

/** Where the parser leaves the first repeated name for the hook below (not enumerable, not serialized). */
const REPEATED = Symbol('stratus.query.repeated');

/** A parameter name is the caller's text: the message quotes at most this much of it. */
const MAX_NAME_SHOWN = 100;

type ParsedQuery = Record<string, string> & { [REPEATED]?: string };

/** Parameters that are lists by design (UntagResource's `tagKeys=a&tagKeys=b`): repeats are their values, read with {@link queryList}. */
const LIST_PARAMETERS = new Set(['tagKeys']);

/**
 * Fastify's `querystringParser`: URLSearchParams decoding (the same results as Fastify's default
 * for everything but repeats). It must never throw: find-my-way calls it while routing, outside
 * Fastify's error handling, and in Fastify 5.12 a throw there ends the process. So a repeated name
 * is only recorded here, and `refuseRepeatedParameters` turns it into the catalogued 400.
 */
export function parseQuery(text: string): Record<string, string> {
  const query: ParsedQuery = Object.create(null);
  if (text.length === 0) return query;
  for (const [name, value] of new URLSearchParams(text)) {
    if (!Object.hasOwn(query, name)) query[name] = value;
    else if (query[REPEATED] === undefined && !LIST_PARAMETERS.has(name)) Object.defineProperty(query, REPEATED, { value: name });
  }
  return query;
}

/** onRequest hook: a repeated query parameter is refused before anything else reads the request. */
export async function refuseRepeatedParameters(request: FastifyRequest): Promise<void> {
  const name = (request.query as ParsedQuery | undefined)?.[REPEATED];
  if (name === undefined) return;
  const shown = name === '' ? 'A query parameter without a name' : name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}...` : name;
  throw stratusError('REQUEST_INVALID_PARAMETER.repeatedQuery', { name: shown });
}

/** Every value of a list parameter, in order (the parsed query keeps only the first). */
export function queryList(request: FastifyRequest, name: string): string[] {
  const at = request.url.indexOf('?');
  return at === -1 ? [] : new URLSearchParams(request.url.slice(at + 1)).getAll(name);
}
