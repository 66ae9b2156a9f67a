import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_UNZIP_LIMITS, listZipFiles, readSmallText } from '../artifacts/unzip.ts';
import { crc32InJavaScript, ZipWriter } from './zip-writer.ts';

const SOURCE = 'export const handler = async (event) => ({ hello: event.name });\n'.repeat(40);
const NOISE = randomBytes(4096);
const IMAGE = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(2048, 7)]);

function sample(): Uint8Array {
  const writer = new ZipWriter();
  writer.add('empty.txt', new Uint8Array(0));
  writer.add('index.js', Buffer.from(SOURCE));
  writer.add('lib/logo.png', IMAGE);
  writer.add('lib/naïve.js', Buffer.from('module.exports = 1;'));
  writer.add('noise.bin', NOISE);
  return writer.finish();
}

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'stratus-zip-writer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ZipWriter', () => {
  it('writes files that read back the same, deflating what shrinks and storing what is compressed already or would grow', () => {
    const zip = sample();
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['empty.txt', 'index.js', 'lib/logo.png', 'lib/naïve.js', 'noise.bin']);
    expect(strFromU8(files['index.js']!)).toBe(SOURCE);
    expect(Buffer.from(files['lib/logo.png']!).equals(IMAGE)).toBe(true);
    expect(Buffer.from(files['noise.bin']!).equals(NOISE)).toBe(true);
    expect(files['empty.txt']!.byteLength).toBe(0);

    // The server's own reader: the same entries, sizes and methods, and a text file it can inflate.
    const listed = listZipFiles(zip, DEFAULT_UNZIP_LIMITS);
    const methods = Object.fromEntries(listed.map((file) => [file.path, file.entry.method]));
    expect(methods).toEqual({ 'empty.txt': 0, 'index.js': 8, 'lib/logo.png': 0, 'lib/naïve.js': 0, 'noise.bin': 0 });
    const index = listed.find((file) => file.path === 'index.js')!;
    expect(index.entry.compressedSize).toBeLessThan(SOURCE.length / 10);
    expect(readSmallText(zip, index, 1 << 20)).toBe(SOURCE);
  });

  it.skipIf(!hasUnzip)('writes archives that Info-ZIP unzip tests clean, with the UTF-8 name intact', () => {
    const file = join(work, 'sample.zip');
    writeFileSync(file, sample());
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
    expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).split('\n')).toContain('lib/naïve.js');
  });

  it('gives the same bytes for the same files', () => {
    expect(Buffer.from(sample()).equals(Buffer.from(sample()))).toBe(true);
  });

  it('computes the CRC-32 that zlib computes, in JavaScript for Node releases without zlib.crc32', () => {
    for (const data of [new Uint8Array(0), Buffer.from('123456789'), NOISE]) {
      expect(crc32InJavaScript(data)).toBe(zlib.crc32(data));
    }
    expect(crc32InJavaScript(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
