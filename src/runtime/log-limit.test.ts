// The host-side log bound holds even when a guest ignores its own.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { LogLimit } from './log-limit.ts';

describe('LogLimit', () => {
  it('keeps chunks that fit and cuts the first that does not at a line end, once', () => {
    const limit = new LogLimit(100);
    limit.append('a'.repeat(20) + '\n');
    limit.append('b'.repeat(10) + '\n' + 'c'.repeat(200) + '\n');
    limit.append('d\n');
    const text = limit.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100);
    expect(text).toBe('a'.repeat(20) + '\n' + 'b'.repeat(10) + '\n' + '[stratus] log output truncated at 100 bytes\n');
  });

  it('counts bytes, not characters', () => {
    const limit = new LogLimit(64);
    limit.append('é'.repeat(20) + '\n');
    limit.append('é'.repeat(20) + '\n');
    expect(Buffer.byteLength(limit.text())).toBeLessThanOrEqual(64);
  });
});
