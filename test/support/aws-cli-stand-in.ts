/**
 * @module Test support: stands in for `aws lambda <operation> ...` where the AWS CLI is not installed,
 * so the README's AWS CLI block still runs as written (see test/integration/readme-tour.test.ts).
 *
 * It knows only the operations and options that block uses, reads them as AWS CLI v1 does (a blob
 * given as `fileb://` is the file's bytes, an inline one is sent as it is), refuses any other option
 * as the CLI refuses an option it does not know (v1 refuses `--cli-binary-format`), sends the call
 * through @aws-sdk/client-lambda, and prints the answer as JSON as the CLI does. It is not an AWS CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as lambda from '@aws-sdk/client-lambda';

type Kind = 'string' | 'blob' | 'shorthand';

/** Each operation's options: the option, the input field it sets (dotted for a nested one), and how its value is read. */
const OPERATIONS: Record<string, { command: string; options: Record<string, [field: string, kind: Kind]>; outfile?: boolean }> = {
  'create-function': {
    command: 'CreateFunctionCommand',
    options: {
      '--function-name': ['FunctionName', 'string'],
      '--runtime': ['Runtime', 'string'],
      '--role': ['Role', 'string'],
      '--handler': ['Handler', 'string'],
      '--zip-file': ['Code.ZipFile', 'blob'],
    },
  },
  'update-function-code': { command: 'UpdateFunctionCodeCommand', options: { '--function-name': ['FunctionName', 'string'], '--zip-file': ['ZipFile', 'blob'] } },
  invoke: {
    command: 'InvokeCommand',
    options: { '--function-name': ['FunctionName', 'string'], '--payload': ['Payload', 'blob'], '--log-type': ['LogType', 'string'] },
    outfile: true,
  },
  'publish-version': { command: 'PublishVersionCommand', options: { '--function-name': ['FunctionName', 'string'] } },
  'create-alias': {
    command: 'CreateAliasCommand',
    options: { '--function-name': ['FunctionName', 'string'], '--name': ['Name', 'string'], '--function-version': ['FunctionVersion', 'string'] },
  },
  'update-alias': {
    command: 'UpdateAliasCommand',
    options: {
      '--function-name': ['FunctionName', 'string'],
      '--name': ['Name', 'string'],
      '--function-version': ['FunctionVersion', 'string'],
      '--routing-config': ['RoutingConfig', 'shorthand'],
    },
  },
};

class UsageError extends Error {}

/** A blob as AWS CLI v1 reads one: `fileb://` is the file's bytes, anything else is sent as written. */
function blob(value: string): Uint8Array {
  return value.startsWith('fileb://') ? readFileSync(value.slice('fileb://'.length)) : Buffer.from(value, 'utf8');
}

/** The shorthand `Key={a=1,b=2}` (a map of numbers, as AdditionalVersionWeights is), or JSON. */
function shorthand(value: string): unknown {
  if (value.trim().startsWith('{')) return JSON.parse(value);
  const m = /^(\w+)=\{([^{}]*)\}$/.exec(value.trim());
  if (!m) throw new UsageError(`Error parsing parameter: the stand-in reads only Key={name=number,...}, got ${value}`);
  const entries = m[2]!.split(',').map((pair) => {
    const [name, number] = pair.split('=');
    if (name === undefined || number === undefined || Number.isNaN(Number(number))) throw new UsageError(`Error parsing parameter: ${pair}`);
    return [name.trim(), Number(number)] as const;
  });
  return { [m[1]!]: Object.fromEntries(entries) };
}

function setField(input: Record<string, unknown>, field: string, value: unknown): void {
  const [head, ...rest] = field.split('.');
  if (rest.length === 0) input[head!] = value;
  else setField((input[head!] ??= {}) as Record<string, unknown>, rest.join('.'), value);
}

async function main(argv: string[]): Promise<number> {
  const [service, operation, ...args] = argv;
  const spec = operation === undefined ? undefined : OPERATIONS[operation];
  if (service !== 'lambda' || spec === undefined) throw new UsageError(`the stand-in knows only: aws lambda ${Object.keys(OPERATIONS).join('|')}`);
  const input: Record<string, unknown> = {};
  const positional: string[] = [];
  const unknown: string[] = [];
  let endpoint: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new UsageError(`argument ${arg}: expected one argument`);
    if (arg === '--endpoint-url') endpoint = value;
    else if (spec.options[arg]) {
      const [field, kind] = spec.options[arg]!;
      setField(input, field, kind === 'blob' ? blob(value) : kind === 'shorthand' ? shorthand(value) : value);
    } else unknown.push(arg, value);
  }
  if (positional.length !== (spec.outfile ? 1 : 0)) unknown.push(...positional.slice(spec.outfile ? 1 : 0));
  if (unknown.length > 0) throw new UsageError(`Unknown options: ${unknown.join(', ')}`);

  const client = new lambda.LambdaClient({ endpoint });
  const Command = (lambda as unknown as Record<string, new (input: unknown) => Parameters<typeof client.send>[0]>)[spec.command]!;
  const { $metadata: _metadata, ...output } = (await client.send(new Command(input))) as unknown as Record<string, unknown>;
  if (spec.outfile) {
    writeFileSync(positional[0]!, (output.Payload as Uint8Array | undefined) ?? new Uint8Array(0));
    delete output.Payload;
  }
  process.stdout.write(`${JSON.stringify(output, null, 4)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 252;
      return;
    }
    const name = (err as { name?: string }).name ?? 'Error';
    process.stderr.write(`\nAn error occurred (${name}) when calling the operation: ${(err as Error).message}\n`);
    process.exitCode = 254;
  },
);
