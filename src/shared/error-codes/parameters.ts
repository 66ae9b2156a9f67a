/** @module Catalogue of REQUEST_INVALID_PARAMETER: one message per parameter rule, naming the field and what it accepts. */
import { codes } from './spec.ts';

const HANDLER_FORM = 'Use the form file.export, for example index.handler or src/app.handler.';
const WEIGHTS = 'RoutingConfig.AdditionalVersionWeights';

export const PARAMETER_CODES = codes({
  REQUEST_INVALID_PARAMETER: {
    status: 400,
    kind: 'user',
    message: {
      // Body fields checked by a schema: the rule says what the field accepts; without one, the schema's own words.
      missing: '{field}: is required; it must be {rule}',
      invalid: '{field}: is not valid; it must be {rule}',
      missingUnruled: '{field}: is required ({issue})',
      invalidUnruled: '{field}: is not valid ({issue})',
      maxItems: 'MaxItems: must be an integer from 1 to 10000',
      marker: 'Marker: is not a marker this API returned; pass the NextMarker of the previous page, or omit it to start from the first page',
      repeatedQuery: '{name}: is given more than once in the query string: send each query parameter once, with the one value you mean',

      functionName: "FunctionName: '{name}' is not a function name: use 1-64 letters, digits, '-' or '_' (optionally ':qualifier'), or a function ARN",
      createName: "FunctionName: must be a plain name when creating a function: 1-64 letters, digits, '-' or '_'",
      unqualifiedOnly: 'FunctionName: must not carry a qualifier for this operation: pass the function name alone',
      tenantStatsQualified: "FunctionName: tenant statistics cover every version of a function: name the function without ':{qualifier}'",
      noTenancy: 'FunctionName: {name} has no tenant isolation: tenancy limits apply to functions created with TenancyConfig (TenantIsolationMode PER_TENANT)',
      qualifierConflict: "Qualifier: the function name names qualifier '{inName}' but the Qualifier parameter is '{inQuery}': give only one",
      qualifierName: "Qualifier: '{qualifier}' is not a valid version or alias name: use $LATEST, a version number or an alias name of 1-128 letters, digits, '-' or '_'",
      deleteLatest: 'Qualifier: $LATEST cannot be deleted on its own: omit Qualifier to delete the whole function',
      deleteNotVersion: 'Qualifier: must be a version number when deleting a version (delete aliases with DeleteAlias)',
      codeSha256: 'CodeSha256: {given} does not match the code of $LATEST ({actual}): update the code first or omit CodeSha256',
      listVersion: 'FunctionVersion: is not supported by ListFunctions here: omit it to list $LATEST of every function, and use ListVersionsByFunction for the versions of one',

      codeRequired: '{field}: is required: upload the code as the base64 of a zip file (S3 and container images are not supported)',
      image: 'PackageType: container images are not supported: deploy a zip (PackageType Zip)',
      s3Create: 'Code.S3Bucket: S3 code locations are not supported: send the zip as Code.ZipFile',
      s3Update: 'S3Bucket: S3 code locations and images are not supported: send the zip as ZipFile',
      layers: 'Layers: layers are not supported: bundle dependencies into the zip',
      tenancyImmutable: 'TenancyConfig: cannot be changed after the function is created: create a new function with the tenancy you need',
      envName: `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: {pattern}]. Environment variable name '{name}' is not valid: a name starts with a letter, is at least two characters long, and has only letters, digits and '_'.`,
      envReserved:
        'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {names}. The runtime sets these itself (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, ...); remove them, or use another name.',
      // Lambda's message quotes the measured string; it holds the values (often secrets), so only its size is given.
      envTooLarge: `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {bytes} bytes (the JSON of Environment.Variables; the limit is {limit} bytes). Shorten or remove variables, or keep large values elsewhere and have the function read them when it starts.`,

      handlerRequired: `Handler: is required. ${HANDLER_FORM}`,
      handlerTooLong: `Handler: must be at most {max} characters (got {length}).`,
      handlerWhitespace: `Handler: must not contain whitespace. ${HANDLER_FORM}`,
      handlerNoDot: `Handler: "{handler}" needs a file and an export separated by a dot. ${HANDLER_FORM}`,
      handlerSlashInExport: `Handler: "{handler}" has a "/" after its last dot; the export name comes last. ${HANDLER_FORM}`,
      handlerAbsolute: `Handler: "{handler}": the file part must be relative to the root of the zip, not absolute. ${HANDLER_FORM}`,
      handlerBackslash: `Handler: "{handler}": use "/" to separate folders, not "\\". ${HANDLER_FORM}`,
      handlerDotFolder: `Handler: "{handler}": the file part must not contain "." or ".." folders. ${HANDLER_FORM}`,
      handlerEmptySegment: `Handler: "{handler}": the file part has an empty folder or file name. ${HANDLER_FORM}`,

      aliasName: "Name: must be 1-128 letters, digits, '-' or '_', and not only digits",
      notAVersion: "{field}: '{version}' is not a version: use $LATEST or a published version number",
      weightsTooMany: `${WEIGHTS}: may name at most one additional version`,
      weightRange: `${WEIGHTS}: the weight of version {version} must be between 0.0 and 1.0`,
      weightSameVersion: `${WEIGHTS}: version {version} is already the alias's FunctionVersion: name a different version`,
      weightLatest: `${WEIGHTS}: weighted routing works between published versions only, not $LATEST`,

      invocationType: "X-Amz-Invocation-Type: '{value}' is not an invocation type: use RequestResponse, Event or DryRun",
      logType: "X-Amz-Log-Type: '{value}' is not a log type: use None or Tail",
      clientContextTooLong: 'X-Amz-Client-Context: must be at most 3583 bytes of base64',
      clientContextNotJson: 'X-Amz-Client-Context: must be the base64 of a JSON object',

      // Egress policy entries (EgressPolicy.AllowedHosts, the tag stratus:egress): one wording per way an entry can be wrong.
      egressEmpty: '{field}: has an empty entry: write one host per entry, for example api.example.com or *.stripe.com',
      egressScheme:
        "{field}: '{entry}' uses the scheme {scheme}: only https (the default) and http are allowed; write api.example.com for https or http://api.example.com for plain HTTP",
      egressExtra:
        "{field}: '{entry}' holds more than a host: leave out paths, queries, user names and passwords, and write at most scheme://host:port, for example https://api.example.com:8443",
      egressPort: "{field}: '{entry}' has the port {port}: a port is a whole number from 1 to 65535 (leave it out for 443 with https, 80 with http)",
      egressWildcard:
        "{field}: '{entry}' is not an allowed wildcard: '*' may only stand as the whole first label before a domain of at least two labels, as in *.example.com (it matches subdomains at any depth, not example.com itself); a bare * is never allowed",
      egressHost:
        "{field}: '{entry}' is not a host name or an IP address: write a name such as api.example.com, an IPv4 address such as 10.0.0.5, or an IPv6 address in brackets such as [fd00::1]",
      egressIpForm: "{field}: '{entry}' writes an IP address in a shortened or numeric form: write it as {canonical}",
      egressTooMany: '{field}: lists {count} entries; an egress policy has at most {max}: use *.domain entries to cover many hosts of one domain',
      egressTagTooLong:
        'Tags: the value of stratus:egress is {length} characters long; a tag value has at most 256: use *.domain entries, or set the EgressPolicy field instead (stratus egress set)',

      // Tags (TagResource, UntagResource, Tags on CreateFunction), with Lambda's limits.
      tagsRequired: 'Tags: is required: give at least one tag as a key and a value',
      tagKeysRequired: 'tagKeys: is required: name at least one tag key to remove',
      tagsTooMany: 'Tags: the function would have {count} tags; a function has at most {max} (Number of tags exceeds resource tag limit)',
      tagKeyLength: "Tags: the key '{key}' is {length} characters long; a tag key has 1 to 128 characters",
      tagValueLength: "Tags: the value of '{key}' is {length} characters long; a tag value has at most 256 characters",
      tagAwsPrefix: "Tags: '{key}': keys starting with aws: are reserved for AWS and cannot be set or removed; choose another key",
      tagStratusPrefix: "Tags: '{key}' is not a tag Stratus knows: keys starting with stratus: are reserved, and the one Stratus reads is stratus:egress",
      tagsQualified: 'Tags on function aliases and versions are not supported: tags belong to the whole function, so name it by its unqualified ARN (without :{qualifier})',

      accountName: "Name: must be 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit",
      rootKeyId: 'STRATUS_ROOT_ACCESS_KEY_ID: must be 16-128 upper-case letters or digits',
      rootSecret: 'STRATUS_ROOT_SECRET_ACCESS_KEY: must be at least 16 characters',
    },
  },
});
