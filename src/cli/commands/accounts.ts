/** @module `stratus accounts create`: an admin creates an account and gets its first access key pair. */
import type { Command } from 'commander';
import { contextFor, type CliEnvironment } from '../context.ts';
import { printFields, printJson } from '../output.ts';
import type { CreatedAccount } from '../lambda-api.ts';

export function registerAccounts(program: Command, base: CliEnvironment): void {
  const accounts = program.command('accounts').description('manage accounts (admin keys required)');
  accounts
    .command('create')
    .description('create an account and print its access keys (shown only once)')
    .argument('<name>', 'account name')
    .option('--json', 'print the API response as JSON')
    .action(async (name: string, flags: { json?: boolean }, command: Command) => {
      const ctx = contextFor(command, base);
      const account = await ctx.api().createAccount(name);
      if (flags.json) {
        printJson(ctx.io, account);
        return;
      }
      ctx.io.out(`created account ${account.Name} (${account.AccountId})\n`);
      printFields(ctx.io, { 'access key id': account.AccessKeyId, 'secret access key': account.SecretAccessKey });
      ctx.io.out(credentialsHowTo(account));
    });
}

/** The secret is shown only now, so say exactly where to put it and how to use it afterwards. */
export function credentialsHowTo(account: CreatedAccount): string {
  const profile = profileNameFor(account.Name);
  return [
    '',
    'The secret is not shown again. Add the keys to a credentials file (~/.aws/credentials, or',
    './.stratus/credentials next to a local server):',
    '',
    `[${profile}]`,
    `aws_access_key_id = ${account.AccessKeyId}`,
    `aws_secret_access_key = ${account.SecretAccessKey}`,
    '',
    `then use them with --profile ${profile} (or AWS_PROFILE=${profile}).`,
    '',
  ].join('\n');
}

/** Profile names live inside `[...]` in an INI file, so anything unusual becomes `-`. */
function profileNameFor(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'account';
}
