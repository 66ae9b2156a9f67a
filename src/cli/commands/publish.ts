/** @module `stratus publish`: freeze $LATEST into a new numbered version. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import { printFields, printJson } from '../output.ts';

export function registerPublish(program: Command, base: CliEnvironment): void {
  program
    .command('publish')
    .description("publish the function's current code and configuration as a new version")
    .argument('<function>', 'function name')
    .option('--description <text>', 'version description')
    .option('--json', 'print the version FunctionConfiguration as JSON')
    .action(async (name: string, flags: { description?: string; json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      const version = await ctx.api().publishVersion(name, flags.description);
      if (flags.json) {
        printJson(ctx.io, version);
        return;
      }
      ctx.io.out(`published ${version.FunctionName} version ${version.Version ?? '?'}\n`);
      printFields(ctx.io, { description: version.Description || undefined, sha256: version.CodeSha256, arn: version.FunctionArn });
    });
}
