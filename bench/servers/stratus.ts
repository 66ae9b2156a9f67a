/** @module Bench child: a real Stratus (the composition root, as `npm start` builds it) on a free port, with the data folder the parent made. */
import { startStratus } from '../../src/main.ts';
import { serveParent } from '../lib/children.ts';

const dataDir = process.env.BENCH_DATA_DIR;
if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');

const s = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent' });
serveParent({}, () => s.close());
process.send!({ type: 'ready', url: s.url, region: s.region, credentials: s.rootCredentials });
