import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compressInWorkers, compressionThreads, PARALLEL_FROM_FILES, type SourceFile } from './zip-workers.ts';
import { compressFile, DEFLATE_LEVEL } from './zip-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'stratus-zip-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text that deflates, random bytes that do not, an image, an empty file: every way compressFile can go. */
function sampleFiles(count: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 4;
    const path = kind === 2 ? `assets/${i}.png` : `lib/${i}.js`;
    const bytes = kind === 0 ? Buffer.from(`module.exports = ${i};\n`.repeat(1 + (i % 50))) : kind === 1 ? randomBytes(64 + i) : kind === 2 ? randomBytes(300) : Buffer.alloc(0);
    const real = join(dir, `${i}`);
    writeFileSync(real, bytes);
    return { path, real };
  });
}

describe('compressInWorkers', () => {
  it('gives, in order, exactly what compressing on the main thread gives, and reports progress up to the total', async () => {
    const files = sampleFiles(300);
    const progress: number[] = [];
    const threaded = await compressInWorkers(files, 3, (done, total) => {
      expect(total).toBe(300);
      progress.push(done);
    });
    const inline = files.map((f) => compressFile(f.path, readFileSync(f.real), zlib, DEFLATE_LEVEL));
    expect(threaded.map((f) => ({ ...f, data: Buffer.from(f.data).toString('base64') }))).toEqual(inline.map((f) => ({ ...f, data: Buffer.from(f.data).toString('base64') })));
    expect(new Set(threaded.map((f) => f.method))).toEqual(new Set([0, 8]));
    expect(progress.at(-1)).toBe(300);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('fails with the archive path of a file it cannot read', async () => {
    const files = [...sampleFiles(10), { path: 'lib/vanished.js', real: join(dir, 'no-such-file') }];
    await expect(compressInWorkers(files, 2)).rejects.toThrow(/^cannot read lib\/vanished\.js: ENOENT/);
  });

  // Before zlib.crc32 (Node 20.15, 22.2) everything is compressed on the main thread.
  it.skipIf(typeof zlib.crc32 !== 'function')('is used for large packages, on as many idle cores as there are (up to 4), and not on a busy machine', () => {
    expect(compressionThreads(PARALLEL_FROM_FILES - 1, 8, 0)).toBe(0);
    expect(compressionThreads(PARALLEL_FROM_FILES, 8, 0)).toBe(4);
    expect(compressionThreads(PARALLEL_FROM_FILES, 2, 0.3)).toBe(2);
    expect(compressionThreads(PARALLEL_FROM_FILES, 2, 0.7)).toBe(0);
    expect(compressionThreads(PARALLEL_FROM_FILES, 4, 1.8)).toBe(2);
    expect(compressionThreads(PARALLEL_FROM_FILES, 4, 3.2)).toBe(0);
    expect(compressionThreads(PARALLEL_FROM_FILES, 1, 0)).toBe(0);
  });
});
