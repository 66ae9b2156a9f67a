/** @module Request bodies of the Lambda API, validated with zod; a failure names the field and what it accepts. */
import { z } from 'zod';
import { stratusError } from '../shared/errors.ts';

/** What each field accepts, in words: the second half of every validation message. */
const RULES: Record<string, string> = {
  FunctionName: "1-64 letters, digits, '-' or '_'",
  Runtime: 'a runtime name such as stratus-isolate',
  Handler: "a string of the form 'file.export' (1-128 characters, no spaces), e.g. index.handler",
  Role: 'a string of at most 2048 characters (Stratus does not use IAM roles)',
  Description: 'a string of at most 256 characters',
  Timeout: 'an integer number of seconds from 1 to 900',
  MemorySize: 'an integer number of MB from 128 to 10240',
  Environment:
    "an object {Variables: {KEY: 'value'}} with string values; names are letters, digits and '_', start with a letter and have at least two characters; at most 4 KB in all",
  'Code.ZipFile': 'the base64-encoded bytes of a zip file',
  ZipFile: 'the base64-encoded bytes of a zip file',
  Publish: 'true or false',
  DryRun: 'true or false',
  RevisionId: 'the RevisionId string returned by the last read of the resource',
  CodeSha256: 'the base64 SHA-256 of the code, as CodeSha256 reports it',
  Name: "1-128 letters, digits, '-' or '_', not only digits",
  FunctionVersion: '$LATEST or a published version number',
  TenancyConfig: "{TenantIsolationMode: 'PER_TENANT'}",
  MaxConcurrency: 'a whole number of concurrent invocations per tenant from 1 to 100000 (omit for no limit)',
  MaxRequestsPerSecond: 'requests per second per tenant, from 0.01 to 1000000 (omit for no limit)',
  'TenancyConfig.TenantIsolationMode': 'PER_TENANT (the one tenant isolation mode)',
  'RoutingConfig.AdditionalVersionWeights': "an object {'<version>': weight} with one version and a weight from 0.0 to 1.0",
  Tags: "an object {'key': 'value'} of strings: at most 50 tags, keys of 1-128 characters, values of at most 256",
  AllowedHosts: 'a list of hosts: api.example.com (https on 443), *.example.com (its subdomains), host:port, http://host[:port]; at most 100',
};

const str = (max: number) => z.string().max(max);
// Names and the 4 KB total are checked by the control plane, with Lambda's wording, whatever the route.
const envVars = z.record(z.string(), z.string());
const base64 = z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/);

export const configurationFields = {
  Runtime: str(64).optional(),
  Handler: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^\s]+$/)
    .optional(),
  Role: str(2048).optional(),
  Description: str(256).optional(),
  Timeout: z.number().int().min(1).max(900).optional(),
  MemorySize: z.number().int().min(128).max(10240).optional(),
  Environment: z.object({ Variables: envVars.optional() }).optional(),
  RevisionId: z.string().optional(),
};

export const createFunctionBody = z.object({
  FunctionName: z.string().min(1).max(140),
  ...configurationFields,
  Code: z.object({
    ZipFile: base64.optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    ImageUri: z.string().optional(),
  }),
  Publish: z.boolean().optional(),
  PackageType: z.enum(['Zip', 'Image']).optional(),
  TenancyConfig: z.object({ TenantIsolationMode: z.enum(['PER_TENANT']) }).optional(),
  Layers: z.array(z.string()).optional(),
  Tags: z.record(z.string(), z.string()).optional(),
});

export const updateConfigurationBody = z.object({ ...configurationFields, TenancyConfig: z.unknown().optional() });

export const updateCodeBody = z.object({
  ZipFile: base64.optional(),
  S3Bucket: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
  RevisionId: z.string().optional(),
});

export const publishVersionBody = z.object({
  CodeSha256: z.string().optional(),
  Description: str(256).optional(),
  RevisionId: z.string().optional(),
});

const routingConfig = z.object({ AdditionalVersionWeights: z.record(z.string(), z.number()).optional() });

export const createAliasBody = z.object({
  Name: z.string().min(1).max(128),
  FunctionVersion: z.string().min(1).max(1024),
  Description: str(256).optional(),
  RoutingConfig: routingConfig.optional(),
});

export const updateAliasBody = z.object({
  FunctionVersion: z.string().min(1).max(1024).optional(),
  Description: str(256).optional(),
  RoutingConfig: routingConfig.optional(),
  RevisionId: z.string().optional(),
});

export const tagResourceBody = z.object({ Tags: z.record(z.string(), z.string()) });

// An egress policy document: at most 100 entries of a host name's length, so a few KB.
export const egressPolicyBody = z.object({
  AllowedHosts: z.array(z.string().max(300)).max(1000),
  RevisionId: z.string().optional(),
});

export const createAccountBody = z.object({ Name: z.string().min(1).max(64) });

export const tenancyLimitsBody = z.object({
  MaxConcurrency: z.number().int().min(1).max(100_000).optional(),
  MaxRequestsPerSecond: z.number().min(0.01).max(1_000_000).optional(),
  RevisionId: z.string().optional(),
});

/** Parses a JSON body (an empty body is `{}`) and validates it; errors name the field and the accepted values. */
export function parseBody<S extends z.ZodType>(schema: S, raw: Buffer | undefined): z.infer<S> {
  let value: unknown = {};
  if (raw !== undefined && raw.length > 0) {
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw stratusError('REQUEST_INVALID_CONTENT.notJson', { detail: (err as Error).message });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw stratusError('REQUEST_INVALID_CONTENT.notObject');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const field = path || 'body';
  const rule = RULES[path] ?? RULES[issue.path.slice(0, 1).map(String).join('.')] ?? RULES[String(issue.path[0])];
  const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
  throw rule
    ? stratusError(missing ? 'REQUEST_INVALID_PARAMETER.missing' : 'REQUEST_INVALID_PARAMETER.invalid', { field, rule })
    : stratusError(missing ? 'REQUEST_INVALID_PARAMETER.missingUnruled' : 'REQUEST_INVALID_PARAMETER.invalidUnruled', { field, issue: issue.message });
}

/** MaxItems query parameter: 1-10000, default 50, as Lambda. */
export function parseMaxItems(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw stratusError('REQUEST_INVALID_PARAMETER.maxItems');
  return n;
}
