/** @module The functions the bench runs: the small JSON handler of the warm figure and a generated ~10 KB handler for the cold-start figure. */

/** The warm-path handler, as Lambda code; the baseline server evaluates this same text in-process. */
export const SMALL_HANDLER = 'exports.handler = async (event) => ({ ok: true, n: event.n });\n';

const OPS = [
  (i: number) => `function normalize${i}(s) {\n  return String(s ?? '').trim().toLowerCase().replace(/\\s+/g, '-').slice(0, ${32 + i});\n}`,
  (i: number) =>
    `function checksum${i}(text) {\n  let h = ${2166136261 + i} >>> 0;\n  for (let k = 0; k < text.length; k++) {\n    h ^= text.charCodeAt(k);\n    h = Math.imul(h, 16777619) >>> 0;\n  }\n  return h.toString(16).padStart(8, '0');\n}`,
  (i: number) =>
    `function pick${i}(obj, keys) {\n  const out = {};\n  for (const key of keys) if (Object.prototype.hasOwnProperty.call(obj, key)) out[key] = obj[key];\n  out.__rule = ${i};\n  return out;\n}`,
  (i: number) =>
    `function validate${i}(input) {\n  const errors = [];\n  if (typeof input !== 'object' || input === null) errors.push('input must be an object');\n  else if (input.limit !== undefined && !(Number.isInteger(input.limit) && input.limit > 0 && input.limit <= ${100 * (i + 1)})) errors.push('limit out of range');\n  return { valid: errors.length === 0, errors };\n}`,
  (i: number) =>
    `function format${i}(amount, currency = 'EUR') {\n  const cents = Math.round(Number(amount) * 100);\n  const sign = cents < 0 ? '-' : '';\n  const abs = Math.abs(cents);\n  return sign + Math.floor(abs / 100).toLocaleString('en-US') + '.' + String(abs % 100).padStart(2, '0') + ' ' + currency + ' #${i}';\n}`,
];

/**
 * A handler of about `targetBytes` of plausible code: a routing table of small functions over
 * strings and objects. `salt` makes each function's bundle distinct, so no cache keyed by code
 * could make a "cold" start warmer than a real first deploy.
 */
export function coldHandlerSource(salt: number, targetBytes = 10 * 1024): string {
  const parts = [`'use strict';\nconst BUILD_ID = ${salt};\n`];
  const names: string[] = [];
  let size = parts[0]!.length;
  for (let i = 0; size < targetBytes - 600; i++) {
    const text = OPS[i % OPS.length]!(i);
    names.push(/^function (\w+)/.exec(text)![1]!);
    parts.push(text);
    size += text.length + 1;
  }
  parts.push(`const TABLE = { ${names.map((n) => `${n}: ${n}`).join(', ')} };`);
  parts.push(
    [
      'exports.handler = async (event) => {',
      '  const op = TABLE[event && event.op] || TABLE.normalize0;',
      '  const result = op(event && event.arg !== undefined ? event.arg : event);',
      '  return { ok: true, build: BUILD_ID, ops: Object.keys(TABLE).length, result };',
      '};',
    ].join('\n'),
  );
  return parts.join('\n') + '\n';
}

/**
 * The tenant figures' handler: a little CPU per call (a JSON round trip and a short loop, about
 * 0.2 ms once compiled), so a saturated node is saturated by guest work, not only by HTTP.
 */
export const TENANT_HANDLER = [
  'const ITEMS = Array.from({ length: 20 }, (_, i) => ({ id: i, name: "item-" + i, tags: ["a", "b", "c"] }));',
  'exports.handler = async (event, context) => {',
  '  const doc = JSON.parse(JSON.stringify({ tenant: context.tenantId, items: ITEMS, n: event.n }));',
  '  let h = 2166136261;',
  '  for (let i = 0; i < 150000; i++) h = Math.imul(h ^ i, 16777619) >>> 0;',
  '  return { ok: true, tenant: doc.tenant, items: doc.items.length, h };',
  '};',
  '',
].join('\n');
