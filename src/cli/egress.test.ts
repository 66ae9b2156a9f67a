// The CLI's egress commands and deploy --allow-host, against a scripted server: what is sent, and what a person reads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness } from './harness.test-support.ts';

const notFound = { status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, json: { message: 'Function not found: shop' } };
const config = { FunctionName: 'shop', Runtime: 'stratus-isolate', Handler: 'index.handler', MemorySize: 128, Timeout: 3, RevisionId: 'r1' };
const state = (hosts: string[], source: string, extra: Record<string, unknown> = {}) => ({
  FunctionName: 'shop',
  Version: '$LATEST',
  AllowedHosts: hosts,
  Source: source,
  RevisionId: 'r2',
  ...extra,
});

describe('stratus CLI egress (against a scripted server)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-cli-egress-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'index.js'), 'export const handler = async () => 1;');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deploy --allow-host sets the EgressPolicy after creating the function, and shows it', async () => {
    const h = harness(dir, (req) => {
      if (req.method === 'GET') return notFound;
      if (req.url.pathname.endsWith('/egress-policy'))
        return { json: state(['api.example.com', '*.stripe.com'], 'EgressPolicy', { EgressPolicy: { AllowedHosts: ['api.example.com', '*.stripe.com'] } }) };
      return { status: 201, json: config };
    });
    expect(await h.run('deploy', 'app', '--name', 'shop', '--allow-host', 'api.example.com', '--allow-host', '*.stripe.com')).toBe(0);
    expect(h.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /2015-03-31/functions/shop',
      'POST /2015-03-31/functions',
      'PUT /stratus/v1/functions/shop/egress-policy',
    ]);
    expect(JSON.parse(h.requests[2]!.body)).toEqual({ AllowedHosts: ['api.example.com', '*.stripe.com'] });
    expect(h.stdout()).toMatch(/egress: +api\.example\.com, \*\.stripe\.com\n/);
  });

  it('deploy without --allow-host leaves the policy alone', async () => {
    const h = harness(dir, (req) => (req.method === 'GET' ? { json: { Configuration: config } } : { json: config }));
    expect(await h.run('deploy', 'app', '--name', 'shop')).toBe(0);
    expect(h.requests.some((r) => r.url.pathname.includes('egress'))).toBe(false);
  });

  it('egress get shows the hosts in force and where they come from; set and clear replace and remove the field', async () => {
    const tagged = harness(dir, () => ({ json: state(['api.example.com'], 'tag:stratus:egress', { Tag: 'api.example.com' }) }));
    expect(await tagged.run('egress', 'get', 'shop:live')).toBe(0);
    expect(tagged.requests[0]!.url.search).toBe('?Qualifier=live');
    expect(tagged.stdout()).toBe('shop: may reach api.example.com\n  from: tag stratus:egress (no EgressPolicy set)\n');

    const set = harness(dir, () => ({ json: state([], 'EgressPolicy', { EgressPolicy: { AllowedHosts: [] }, Tag: 'api.example.com' }) }));
    expect(await set.run('egress', 'set', 'shop')).toBe(0);
    expect(JSON.parse(set.requests[0]!.body)).toEqual({ AllowedHosts: [] });
    expect(set.stdout()).toBe('shop: may reach no host\n  from:        EgressPolicy\n  ignored tag: stratus:egress = api.example.com\n');

    const cleared = harness(dir, () => ({ json: state([], 'none') }));
    expect(await cleared.run('egress', 'clear', 'shop')).toBe(0);
    expect(cleared.requests[0]!.method).toBe('DELETE');
    expect(cleared.stdout()).toBe('shop: may reach no host\n  from: none: no outbound requests\n');
  });

  it('shows the server’s refusal of a bad entry as one line', async () => {
    const h = harness(dir, () => ({
      status: 400,
      headers: { 'x-amzn-ErrorType': 'InvalidParameterValueException' },
      json: { message: "AllowedHosts: '*' is not an allowed wildcard" },
    }));
    expect(await h.run('egress', 'set', 'shop', '*')).not.toBe(0);
    expect(h.stderr()).toContain("AllowedHosts: '*' is not an allowed wildcard");
  });
});
