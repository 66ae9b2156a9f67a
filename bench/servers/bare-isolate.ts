/** @module Bench child: the physical limit of a cold start, a bare isolated-vm isolate plus context. */
// The one use of isolated-vm outside src/runtime/isolate/: it measures the library itself, not Stratus.
import ivm from 'isolated-vm';
import { serveParent } from '../lib/children.ts';

/** Same heap limit as the bench's functions (MemorySize 128). */
const MEMORY_MB = 128;

async function measure(): Promise<{ ms: number }> {
  const started = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: MEMORY_MB });
  const context = await isolate.createContext();
  const ms = performance.now() - started;
  context.release();
  isolate.dispose();
  return { ms };
}

serveParent({ measure }, async () => undefined);
process.send!({ type: 'ready' });
