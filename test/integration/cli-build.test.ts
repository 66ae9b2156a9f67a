// The compiled CLI: `npm run build` bundles it into one file that runs without tsx or node_modules,
// and bin/stratus.js runs that bundle only while it is newer than every source it was built from.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stratus-cli-build-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the built CLI', { timeout: 60_000 }, () => {
  it('is one file that answers --version and --help with nothing beside it but package.json', async () => {
    // A folder with no node_modules and no sources: only what the bundle carries can run.
    const pkg = join(work, 'built');
    mkdirSync(pkg);
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    const built = await node([join(ROOT, 'scripts', 'build-cli.mjs'), '--outdir', join(pkg, 'dist')], ROOT);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);

    const version = await node([join(pkg, 'dist', 'cli.mjs'), '--version'], work);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await node([join(pkg, 'dist', 'cli.mjs'), '--help'], work);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: stratus /);
    expect(help.stdout).toMatch(/\n {2}deploy \[options\] <source>/);

    const inputs = JSON.parse(readFileSync(join(pkg, 'dist', 'cli.inputs.json'), 'utf8')) as { inputs: string[] };
    expect(inputs.inputs).toContain('src/cli/main.ts');
    expect(inputs.inputs.every((path) => !path.includes('node_modules'))).toBe(true);
  });

  it('bin/stratus.js runs the bundle while it is current, and the sources when it is older than one of them, lists a missing one, or is absent', async () => {
    // A checkout whose bundle is a stand-in that says so, next to the real sources.
    const checkout = join(work, 'checkout');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    mkdirSync(join(checkout, 'dist'));
    copyFileSync(join(ROOT, 'package.json'), join(checkout, 'package.json'));
    copyFileSync(join(ROOT, 'bin', 'stratus.js'), join(checkout, 'bin', 'stratus.js'));
    symlinkSync(join(ROOT, 'src'), join(checkout, 'src'));
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const bundle = join(checkout, 'dist', 'cli.mjs');
    const listing = join(checkout, 'dist', 'cli.inputs.json');
    writeFileSync(bundle, "console.log('from the bundle');\n");
    writeFileSync(listing, JSON.stringify({ root: '..', inputs: ['src/cli/main.ts', 'src/cli/zip.ts'] }));
    const bin = join(checkout, 'bin', 'stratus.js');

    expect((await node([bin, '--version'], work)).stdout).toBe('from the bundle\n');

    const longAgo = new Date('2000-01-01T00:00:00Z');
    utimesSync(bundle, longAgo, longAgo);
    expect(await node([bin, '--version'], work)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });

    utimesSync(bundle, new Date(), new Date());
    writeFileSync(listing, JSON.stringify({ root: '..', inputs: ['src/cli/main.ts', 'src/cli/removed-since.ts'] }));
    expect((await node([bin, '--version'], work)).stdout).toBe(`${VERSION}\n`);

    rmSync(join(checkout, 'dist'), { recursive: true });
    expect((await node([bin, '--version'], work)).stdout).toBe(`${VERSION}\n`);
  });
});
