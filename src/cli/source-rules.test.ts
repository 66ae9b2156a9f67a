import { describe, expect, it } from 'vitest';
import { describeSkipped, isInside, type SkippedPath } from './source-rules.ts';

describe('isInside', () => {
  it('accepts the root and paths below it, and nothing that only shares a prefix', () => {
    expect(isInside('/ws', '/ws')).toBe(true);
    expect(isInside('/ws/packages/a', '/ws')).toBe(true);
    expect(isInside('/ws/..a', '/ws')).toBe(true);
    expect(isInside('/ws-other/a', '/ws')).toBe(false);
    expect(isInside('/', '/ws')).toBe(false);
    expect(isInside('/etc', '/ws')).toBe(false);
  });
});

describe('describeSkipped', () => {
  it('prints nothing when nothing was skipped', () => {
    expect(describeSkipped([])).toBe('');
  });

  it('names each path with why it was left out', () => {
    const skipped: SkippedPath[] = [
      { path: '.env', reason: 'secrets file' },
      { path: '.stratus', reason: 'Stratus data folder' },
      { path: 'lib/link', reason: 'symbolic link' },
    ];
    expect(describeSkipped(skipped)).toBe(
      'skipped 3 paths, not uploaded:\n  .env (secrets file)\n  .stratus/ (Stratus data folder)\n  lib/link -> outside the folder (symbolic link)\n',
    );
    expect(describeSkipped(skipped.slice(0, 1))).toBe('skipped 1 path, not uploaded:\n  .env (secrets file)\n');
  });

  it('names the first ten and counts the rest, so a huge tree cannot flood the terminal', () => {
    const skipped = Array.from({ length: 250 }, (_, i): SkippedPath => ({ path: `pkg${i}/.env`, reason: 'secrets file' }));
    const lines = describeSkipped(skipped).trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('skipped 250 paths, not uploaded:');
    expect(lines[10]).toBe('  pkg9/.env (secrets file)');
    expect(lines[11]).toBe('  ... and 240 more');
  });
});
