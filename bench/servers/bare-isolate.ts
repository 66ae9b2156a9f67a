/** @module Bench child: the physical limits of a tenant environment, a bare isolated-vm isolate plus context: its creation time and its resident memory. */
// The one use of isolated-vm outside src/runtime/isolate/: it measures the library itself, not Stratus.
import { isolatedVm, isolatedVmBuild, type IsolatedVM } from '../../src/runtime/isolate/ivm.ts';
import { serveParent } from '../lib/children.ts';

const ivm = isolatedVm();

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

/**
 * RSS of this process before and after creating `count` isolates with a context each (kept alive
 * `settleMs`, as Stratus's idle environments are), then frees them all.
 */
async function holdMany(msg: Record<string, unknown>): Promise<{ count: number; rssBefore: number; rssAfter: number }> {
  const count = Number(msg.count);
  const settleMs = Number(msg.settleMs ?? 0);
  const rssBefore = process.memoryUsage.rss();
  const held: { isolate: IsolatedVM.Isolate; context: IsolatedVM.Context }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const isolate = new ivm.Isolate({ memoryLimit: MEMORY_MB });
      held.push({ isolate, context: await isolate.createContext() });
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { count, rssBefore, rssAfter: process.memoryUsage.rss() };
  } finally {
    for (const h of held) {
      h.context.release();
      h.isolate.dispose();
    }
  }
}

serveParent({ measure, holdMany }, async () => undefined);
// Which isolated-vm release this Node loaded, for figures that compare Node versions.
process.send!({ type: 'ready', build: isolatedVmBuild() });
