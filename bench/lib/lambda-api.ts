/** @module The bench's Lambda API client: SigV4-signed raw requests (signed ahead, so timing never includes signing) over a keep-alive connection. */
import http from 'node:http';
import { strToU8, zipSync } from 'fflate';
import { createRequestSigner } from '../../src/shared/sigv4-signer.ts';

export interface Target {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Signs a request now; the signature stays valid for 5 minutes, so a phase may replay it. */
export async function sign(t: Target, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<SignedRequest> {
  const signer = createRequestSigner({ credentials: t.credentials, region: t.region });
  const signed = await signer.sign({ method, url: new URL(path, t.url), headers: { 'content-type': 'application/json', ...headers }, body });
  return { method, path, headers: signed, body };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Sends an already-signed request. One keep-alive socket by default: connection setup stays out of a timed call; pass an agent of your own to send in parallel. */
export function send(base: string, req: SignedRequest, via: http.Agent = agent): Promise<RawResponse> {
  const url = new URL(req.path, base);
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method: req.method, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }, agent: via }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Signs and sends; throws unless the status is the expected one. */
export async function call(t: Target, method: string, path: string, body: string, expect: number, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await send(t.url, await sign(t, method, path, body, headers));
  if (res.status !== expect) throw new Error(`${method} ${path}: expected ${expect}, got ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** CreateFunction with a one-file zip (`index.js`), through the Lambda API as any client would; `extra` adds fields (e.g. TenancyConfig). */
export async function deployFunction(t: Target, name: string, source: string, extra: Record<string, unknown> = {}): Promise<void> {
  const zip = Buffer.from(zipSync({ 'index.js': strToU8(source) })).toString('base64');
  const body = JSON.stringify({
    FunctionName: name,
    Runtime: 'stratus-isolate',
    Handler: 'index.handler',
    Role: 'arn:aws:iam::000000000000:role/bench',
    MemorySize: 128,
    Timeout: 10,
    Code: { ZipFile: zip },
    ...extra,
  });
  await call(t, 'POST', '/2015-03-31/functions', body, 201);
}

export const invokePath = (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

/** `Duration` and `Init Duration` (undefined when the call was warm) of the REPORT line in an X-Amz-Log-Result tail. */
export function reportOf(res: RawResponse): { durationMs?: number; initDurationMs?: number } {
  const tail = res.headers['x-amz-log-result'];
  if (typeof tail !== 'string') return {};
  const text = Buffer.from(tail, 'base64').toString('utf8');
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { durationMs: num(/\tDuration: ([\d.]+) ms/), initDurationMs: num(/Init Duration: ([\d.]+) ms/) };
}

/** The admin route `GET /stratus/v1/node`: environments, their measured memory, the process RSS. */
export interface NodeStats {
  Environments: number;
  IdleEnvironments: number;
  EnvironmentMemoryBytes: number;
  EnvironmentsCreated: number;
  EnvironmentsEvicted: number;
  ResidentMemoryBytes: number;
  [key: string]: number;
}

export async function nodeStats(t: Target, via: http.Agent = agent): Promise<NodeStats> {
  const res = await send(t.url, await sign(t, 'GET', '/stratus/v1/node'), via);
  if (res.status !== 200) throw new Error(`GET /stratus/v1/node: ${res.status} ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text) as NodeStats;
}

export function closeClient(): void {
  agent.destroy();
}
