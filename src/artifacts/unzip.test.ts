/** @module Tests of unzipping hostile zips: corrupt files, bombs, path tricks and lying headers (listing here, extraction as the bundling process does it). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { isStratusError, type StratusError } from '../shared/errors.ts';
import { ExtractError, extractFiles } from './extract.js';
import { DEFAULT_UNZIP_LIMITS, extractEntry, extractionError, listZipFiles, safeEntryPath, type ZipFile } from './unzip.ts';

const limits = DEFAULT_UNZIP_LIMITS;

function thrown(fn: () => unknown): StratusError {
  try {
    fn();
  } catch (error) {
    if (isStratusError(error)) return error;
    throw error;
  }
  throw new Error('expected a StratusError');
}

async function rejection(promise: Promise<unknown>): Promise<StratusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStratusError(error)) throw new Error(`expected a StratusError, got ${String(error)}`);
  return error;
}

/** Extracts `files` into a fresh folder as the bundling process does; an extraction failure comes back as the user error the server sends. */
async function extract(zip: Uint8Array, files: ZipFile[]): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-unzip-test-'));
  try {
    extractFiles(zip, files.map(extractEntry), dir);
    return Object.fromEntries(files.map((f) => [f.path, readFileSync(join(dir, f.path), 'utf8')]));
  } catch (error) {
    throw error instanceof ExtractError ? extractionError(error.problem, error.path) : error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readAll(zip: Uint8Array): Promise<Record<string, string>> {
  return extract(zip, listZipFiles(zip, limits));
}

/** Offsets of every central directory record (fflate writes them after all data). */
function centralRecords(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const found: number[] = [];
  for (let at = 0; at + 4 <= zip.length; at++) if (view.getUint32(at, true) === 0x02014b50) found.push(at);
  return found;
}

/** Rewrites an entry's declared uncompressed size in both its local header and its directory record. */
function forgeSize(zip: Uint8Array, size: number): Uint8Array {
  const forged = zip.slice();
  const view = new DataView(forged.buffer);
  for (const at of centralRecords(forged)) {
    view.setUint32(at + 24, size, true);
    view.setUint32(view.getUint32(at + 42, true) + 22, size, true);
  }
  return forged;
}

describe('listZipFiles and extraction', () => {
  it('round-trips deflated and stored files, skipping folder entries', async () => {
    const zip = zipSync({ 'a.txt': strToU8('deflated '.repeat(50)), 'dir/': new Uint8Array(0), 'dir/b.txt': [strToU8('stored'), { level: 0 }], './c.txt': strToU8('') });
    expect(await readAll(zip)).toEqual({ 'a.txt': 'deflated '.repeat(50), 'dir/b.txt': 'stored', 'c.txt': '' });
  });

  it('refuses non-zips, truncated zips and damaged data', async () => {
    const zip = zipSync({ 'a.txt': strToU8('hello hello hello hello') });
    expect(thrown(() => listZipFiles(new Uint8Array(0), limits)).code).toBe('CODE_INVALID_ZIP');
    expect(thrown(() => listZipFiles(strToU8('PK not really'), limits)).code).toBe('CODE_INVALID_ZIP');
    expect(thrown(() => listZipFiles(zip.subarray(0, zip.length - 10), limits)).code).toBe('CODE_INVALID_ZIP');
    const damaged = zip.slice();
    damaged[35] ^= 0xff; // inside the deflated data of a.txt
    const error = await rejection(readAll(damaged));
    expect(error.code).toBe('CODE_INVALID_ZIP');
    expect(error.message).toMatch(/"a\.txt" (is damaged|fails its checksum|unzips to a different size)/);
  });

  it('refuses a zip whose directory points outside the file', () => {
    const zip = zipSync({ 'a.txt': strToU8('x') });
    const view = new DataView(zip.buffer);
    view.setUint32(centralRecords(zip)[0]! + 42, 0x7fffffff, true);
    expect(thrown(() => listZipFiles(zip, limits)).message).toContain('lies outside the file');
  });

  it('refuses too many entries before reading any of them', () => {
    const zip = zipSync(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}.js`, strToU8('')])));
    const error = thrown(() => listZipFiles(zip, { ...limits, maxEntries: 10 }));
    expect(error.code).toBe('CODE_TOO_LARGE');
    expect(error.message).toContain('The zip has 11 entries; the limit is 10');
  });

  it('refuses a bomb from its declared sizes, with nothing inflated', () => {
    const zip = zipSync({ 'bomb.bin': new Uint8Array(4 * 1024 * 1024) });
    expect(zip.length).toBeLessThan(10_000);
    const error = thrown(() => listZipFiles(zip, { ...limits, maxUnzippedBytes: 1024 * 1024 }));
    expect(error.code).toBe('CODE_TOO_LARGE');
    expect(error.message).toContain(`this zip unzips to ${4 * 1024 * 1024} bytes`);
    // A header claiming ~4 GB is refused from the directory alone: nothing could be that fast otherwise.
    const claimed = forgeSize(zip, 0xfffffff0);
    const started = performance.now();
    expect(thrown(() => listZipFiles(claimed, limits)).code).toBe('CODE_TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('stops inflating a bomb whose headers understate it', async () => {
    const real = zipSync({ 'bomb.bin': new Uint8Array(48 * 1024 * 1024) }, { level: 1 });
    const forged = forgeSize(real, 1000);
    const [file] = listZipFiles(forged, limits) as [ZipFile];
    expect(file.entry.size).toBe(1000);

    // Baseline in the same run: inflating the whole entry, which the guard must not do.
    let started = performance.now();
    expect(unzipSync(real)['bomb.bin']!.length).toBe(48 * 1024 * 1024);
    const fullInflate = performance.now() - started;

    started = performance.now();
    const error = await rejection(extract(forged, [file]));
    const refused = performance.now() - started;
    expect(error.code).toBe('CODE_INVALID_ZIP');
    expect(error.message).toContain('"bomb.bin" unzips to a different size than its header declares');
    expect(refused * 10).toBeLessThan(fullInflate);
  });

  it('refuses an entry whose data is shorter than declared', async () => {
    const forged = forgeSize(zipSync({ 'a.txt': strToU8('abc'.repeat(100)) }), 301);
    const error = await rejection(readAll(forged));
    expect(error.message).toContain('"a.txt" unzips to a different size');
  });

  it('refuses duplicate entries and paths that are both file and folder', () => {
    const dup = zipSync({ 'a.js': strToU8('1'), './a.js': strToU8('2') });
    expect(thrown(() => listZipFiles(dup, limits)).message).toContain('appears twice');
    const clash = zipSync({ lib: strToU8('1'), 'lib/x.js': strToU8('2') });
    expect(thrown(() => listZipFiles(clash, limits)).message).toContain('"lib" is a file, but "lib/x.js" needs it to be a folder');
  });

  it('refuses encrypted entries and unsupported compression methods', () => {
    const zip = zipSync({ 'a.txt': strToU8('aaaaaaaaaaaaaaaaaaaa') });
    const view = new DataView(zip.buffer);
    const record = centralRecords(zip)[0]!;
    const method = zip.slice();
    new DataView(method.buffer).setUint16(record + 10, 14, true); // LZMA
    expect(thrown(() => listZipFiles(method, limits)).message).toContain('uses compression method 14');
    view.setUint16(record + 8, view.getUint16(record + 8, true) | 1, true);
    expect(thrown(() => listZipFiles(zip, limits)).message).toContain('is encrypted');
  });
});

describe('safeEntryPath', () => {
  it('normalizes harmless forms', () => {
    expect(safeEntryPath('src/index.js')).toBe('src/index.js');
    expect(safeEntryPath('./src/./index.js')).toBe('src/index.js');
    expect(safeEntryPath('src/')).toBe('src');
    expect(safeEntryPath('dots..in..name/..js')).toBe('dots..in..name/..js');
  });

  it('refuses every way out of the extraction folder, naming the entry and the fix', () => {
    const cases: Array<[string, string]> = [
      ['../evil.js', 'outside the zip root'],
      ['a/../../evil.js', 'outside the zip root'],
      ['a/..', 'outside the zip root'],
      ['/etc/passwd', 'absolute path'],
      ['C:/Windows/evil.js', 'absolute path'],
      ['c:evil.js', 'absolute path'],
      ['..\\evil.js', 'uses "\\" to separate folders'],
      ['a\\b.js', 'uses "\\" to separate folders'],
      ['a//b.js', 'empty folder name'],
      ['a\0.js', 'NUL character'],
      ['x'.repeat(256), 'longer than 255 bytes'],
    ];
    for (const [name, problem] of cases) {
      const error = thrown(() => safeEntryPath(name));
      expect(error.code).toBe('CODE_INVALID_ZIP');
      expect(error.message).toContain(problem);
      expect(error.message).toContain('Fix the zip, then upload it again.');
    }
  });

  it('applies to the entries of a real zip', () => {
    const zip = zipSync({ 'ok.js': strToU8(''), '../../escape.js': strToU8('') });
    expect(thrown(() => listZipFiles(zip, limits)).message).toContain('The zip entry "../../escape.js" points outside the zip root');
  });
});
