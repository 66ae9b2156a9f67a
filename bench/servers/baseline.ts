/** @module Bench child: the baseline, a bare node:http server that runs the same handler text in-process (parse the body, call, stringify). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMALL_HANDLER } from '../lib/handler-code.ts';
import { serveParent } from '../lib/children.ts';

type Handler = (event: unknown) => Promise<unknown>;
const mod = { exports: {} as { handler?: Handler } };
new Function('exports', 'module', SMALL_HANDLER)(mod.exports, mod);
const handler = mod.exports.handler!;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    handler(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')).then(
      (out) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errorMessage: err.message }));
      },
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  serveParent({}, async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
