// The README's five-minute tour, run as a newcomer runs it: its shell blocks are read from README.md
// itself (so the test and the page cannot drift apart) and run by bash, in a fresh folder, against a
// fresh server started there as `npm start` starts it. The only liberties taken: the server listens
// on a free port (STRATUS_ENDPOINT, and the AWS block's endpoint URL, say which), `npx stratus` runs
// this checkout's bin/stratus.js, and `aws` is the AWS CLI when it is installed, else a stand-in
// that sends each `aws lambda` command through the AWS SDK (test/support/aws-cli-stand-in.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const AWS_INSTALLED = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;

/** The first ```sh block after the tour's heading `### <title>`. */
function tourBlock(title: string): string {
  const tour = README.split('\n## Five-minute tour\n')[1]?.split('\n## ')[0] ?? '';
  const section = tour.split(`\n### ${title}\n`)[1] ?? '';
  const block = /```sh\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`README.md has no sh block under "### ${title}" in the five-minute tour`);
  return block;
}

/** The environment of a person with nothing configured: no AWS_ or STRATUS_ variables, an empty home. */
function cleanEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(AWS_|STRATUS_|XDG_STATE_HOME$)/.test(name)) env[name] = value;
  return { ...env, HOME: home, XDG_STATE_HOME: join(home, '.local', 'state'), ...extra };
}

interface Server {
  url: string;
  banner: string;
  child: ChildProcess;
}

/** Starts src/main.ts as `npm start` does, in `cwd`, and waits for the banner. */
function startServer(cwd: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', TSX, join(ROOT, 'src', 'main.ts')], {
    cwd,
    env: { ...env, STRATUS_HOST: '127.0.0.1', STRATUS_PORT: '0', STRATUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /Stratus is listening on (http:\/\/\S+)/.exec(output);
      // The banner ends with an empty line.
      if (listening && output.includes('\n\n', listening.index) && /aws lambda list-functions.*\n/.test(output)) resolve({ url: listening[1]!, banner: output, child });
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
}

async function stopServer(server: Server | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Runs a block of the README with bash, stopping at the first failing command. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  // `npx stratus` is this checkout's CLI (npx would run the same bin from the checkout itself).
  // A failing `npx` or `aws` ends the script with its code, even inside `a && b`, where `set -e` would not.
  const preamble = [
    'set -euo pipefail',
    'npx() { [ "$1" = stratus ] || { echo "npx $1 is not part of the tour" >&2; exit 127; }; shift; "$TOUR_NODE" "$TOUR_BIN" "$@" || exit $?; }',
    AWS_INSTALLED ? 'aws() { command aws "$@" || exit $?; }' : 'aws() { "$TOUR_NODE" --import "$TOUR_TSX" "$TOUR_AWS_STAND_IN" "$@" || exit $?; }',
  ];
  const fullEnv = {
    ...env,
    TOUR_NODE: process.execPath,
    TOUR_BIN: join(ROOT, 'bin', 'stratus.js'),
    TOUR_TSX: TSX,
    TOUR_AWS_STAND_IN: join(ROOT, 'test', 'support', 'aws-cli-stand-in.ts'),
  };
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `${preamble.join('\n')}\n${script}`], { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let work: string;
let tourServer: Server | undefined;
let elsewhereServer: Server | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stratus-tour-'));
});
afterAll(async () => {
  await stopServer(tourServer);
  await stopServer(elsewhereServer);
  rmSync(work, { recursive: true, force: true });
});

describe('the README tour, run as written', { timeout: 180_000 }, () => {
  const folder = () => join(work, 'checkout');
  const home = () => join(work, 'home');

  it('the stratus CLI block: deploy, invoke, publish, alias, a second version and a weighted alias', async () => {
    mkdirSync(folder());
    mkdirSync(home());
    tourServer = await startServer(folder(), cleanEnv(home(), {}));
    const result = await bash(tourBlock('With the `stratus` CLI'), folder(), cleanEnv(home(), { STRATUS_ENDPOINT: tourServer.url }));
    expect(result.stderr).toContain('greeting Ada');
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^created function hello\n/);
    expect(out).toContain('"hello": "Ada"');
    expect(out).toContain('published hello version 1\n');
    expect(out).toContain('created alias hello:live -> version 1\n');
    expect(out).toContain('"hello": "Grace"');
    expect(out).toContain('updated function hello\n');
    expect(out).toContain('published hello version 2\n');
    expect(out).toContain('updated alias hello:live -> version 1 (90%), version 2 (10%)\n');
    expect(out).toMatch(/\nNAME\s+RUNTIME.*\nhello\s+stratus-isolate/);
  });

  it(`the AWS CLI block (${AWS_INSTALLED ? 'the installed AWS CLI' : 'the AWS SDK stand-in for the AWS CLI'}): create, invoke with a payload file, versions and a weighted alias`, async () => {
    expect(tourServer).toBeDefined();
    const block = tourBlock('With the AWS CLI');
    expect(block).toContain('http://127.0.0.1:9070');
    const script = block.replaceAll('http://127.0.0.1:9070', tourServer!.url);
    // The AWS CLI reads ~/.aws/config too: point it at an empty file so nothing of this machine's leaks in.
    writeFileSync(join(work, 'aws-config'), '');
    const result = await bash(script, folder(), cleanEnv(home(), { AWS_CONFIG_FILE: join(work, 'aws-config') }));
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(join(folder(), 'out.json'), 'utf8'))).toEqual({ hello: 'Ada', from: 'hello2' });
    // The CLI's answers, each pretty-printed over several lines (out.json, printed by `cat`, is one line).
    const documents = result.stdout.match(/\{\n[\s\S]*?\n\}/g)!.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(documents.find((d) => d.StatusCode === 200)).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST', LogResult: expect.any(String) });
    expect(documents.filter((d) => d.Version !== undefined && d.Version !== '$LATEST').map((d) => d.Version)).toEqual(['1', '2']);
    expect(documents.at(-1)).toMatchObject({ Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } });
  });

  it("the start-up banner's stratus command works as printed when the data folder is not the default one", async () => {
    const dataDir = join(work, 'var', 'stratus-data');
    elsewhereServer = await startServer(work, cleanEnv(home(), { STRATUS_DATA_DIR: dataDir }));
    const command = /^Use it with the stratus CLI.*:\n {2}(.*)$/m.exec(elsewhereServer.banner)?.[1];
    // Started outside the Stratus folder, where npx would look for the command on npm, the banner names the bin itself.
    expect(command, elsewhereServer.banner).toBe(`node ${join(ROOT, 'bin', 'stratus.js')} deploy ./my-function --name hello --endpoint ${elsewhereServer.url}`);

    // From another folder, with no credentials anywhere but where the server keeps them.
    const project = join(work, 'project');
    mkdirSync(join(project, 'my-function'), { recursive: true });
    writeFileSync(join(project, 'my-function', 'index.js'), 'exports.handler = async () => "hi";\n');
    const result = await bash(command!, project, cleanEnv(home(), {}));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^created function hello\n/);
  });
});
