/** @module Lambda function routes: CreateFunction, GetFunction(Configuration), ListFunctions, Update*, DeleteFunction. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { LATEST, isValidFunctionName, isVersionQualifier, type FunctionSettings } from '../../control/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { callerOf, decodeZip, functionTarget, whileClientWaits, type ApiDeps } from '../context.ts';
import { createFunctionBody, parseBody, parseMaxItems, updateCodeBody, updateConfigurationBody } from '../schemas.ts';
import { functionConfiguration } from '../shapes.ts';

const FN = '/2015-03-31/functions/:FunctionName';
/** A code upload carries a base64 zip: Lambda's 50 MB zipped limit is about 67 MB as base64. */
const CODE_BODY_LIMIT = 70 * 1024 * 1024;

/** Lambda's configuration fields in the control plane's words; an Environment without Variables clears them. */
function settingsOf(body: z.infer<typeof updateConfigurationBody>): FunctionSettings {
  return {
    runtime: body.Runtime,
    handler: body.Handler,
    role: body.Role,
    description: body.Description,
    memoryMb: body.MemorySize,
    timeoutSec: body.Timeout,
    environment: body.Environment ? (body.Environment.Variables ?? {}) : undefined,
  };
}

export function functionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { functions, region } = deps;
  const config = (rec: Parameters<typeof functionConfiguration>[0]) => functionConfiguration(rec, region);

  app.post('/2015-03-31/functions', { bodyLimit: CODE_BODY_LIMIT }, async (request, reply) => {
    const body = parseBody(createFunctionBody, request.body as Buffer);
    if (body.PackageType === 'Image' || body.Code.ImageUri) throw stratusError('REQUEST_INVALID_PARAMETER.image');
    if (body.Code.S3Bucket || body.Code.S3Key) throw stratusError('REQUEST_INVALID_PARAMETER.s3Create');
    if (body.Layers && body.Layers.length > 0) throw stratusError('REQUEST_INVALID_PARAMETER.layers');
    const name = body.FunctionName;
    if (!isValidFunctionName(name)) throw stratusError('REQUEST_INVALID_PARAMETER.createName');
    const rec = await functions.create(callerOf(request).id, {
      name,
      ...settingsOf(body),
      zip: decodeZip(body.Code.ZipFile, 'Code.ZipFile'),
      publish: body.Publish,
      tenantIsolationMode: body.TenancyConfig?.TenantIsolationMode,
      tags: body.Tags,
      signal: whileClientWaits(reply),
    });
    return reply.status(201).send(config(rec));
  });

  app.get('/2015-03-31/functions', async (request) => {
    const q = request.query as { Marker?: string; MaxItems?: string; FunctionVersion?: string };
    if (q.FunctionVersion !== undefined) {
      throw stratusError('REQUEST_INVALID_PARAMETER.listVersion');
    }
    const page = await functions.list(callerOf(request).id, q.Marker, parseMaxItems(q.MaxItems));
    return { Functions: page.items.map(config), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
  });

  app.get(FN, async (request) => {
    const t = functionTarget(request, region);
    const rec = await functions.get(t.accountId, t.name, await versionOf(t));
    const now = deps.clock.now();
    const host = request.headers.host ?? '127.0.0.1';
    const link = deps.codeLinks.sign({ accountId: rec.accountId, functionName: rec.functionName, codeSha256: rec.codeSha256 }, now);
    const location = `${request.protocol}://${host}/stratus/v1/code/${encodeURIComponent(rec.codeSha256)}?${link}`;
    // As Lambda: the function's tags, whichever version was read (they live on $LATEST).
    const tags = rec.version === LATEST ? { ...rec.tags } : await deps.tags.list(t.accountId, t.name);
    return { Configuration: config(rec), Code: { RepositoryType: 'S3', Location: location }, ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}) };
  });

  app.get(`${FN}/configuration`, async (request) => {
    const t = functionTarget(request, region);
    return config(await functions.get(t.accountId, t.name, await versionOf(t)));
  });

  app.put(`${FN}/code`, { bodyLimit: CODE_BODY_LIMIT }, async (request, reply) => {
    const t = functionTarget(request, region);
    const body = parseBody(updateCodeBody, request.body as Buffer);
    if (body.S3Bucket || body.ImageUri) throw stratusError('REQUEST_INVALID_PARAMETER.s3Update');
    const rec = await functions.updateCode(t.accountId, t.name, {
      zip: decodeZip(body.ZipFile, 'ZipFile'),
      publish: body.Publish,
      dryRun: body.DryRun,
      revisionId: body.RevisionId,
      signal: whileClientWaits(reply),
    });
    return config(rec);
  });

  app.put(`${FN}/configuration`, async (request, reply) => {
    const t = functionTarget(request, region);
    const body = parseBody(updateConfigurationBody, request.body as Buffer);
    if (body.TenancyConfig !== undefined) {
      throw stratusError('REQUEST_INVALID_PARAMETER.tenancyImmutable');
    }
    const rec = await functions.updateConfiguration(t.accountId, t.name, { ...settingsOf(body), revisionId: body.RevisionId, signal: whileClientWaits(reply) });
    return config(rec);
  });

  app.delete(FN, async (request, reply) => {
    const t = functionTarget(request, region);
    await functions.delete(t.accountId, t.name, t.qualifier);
    return reply.status(204).send();
  });

  /** A qualifier on a read may be a version or an alias; an alias reads the version it points at. */
  async function versionOf(t: { accountId: string; name: string; qualifier?: string }): Promise<string> {
    if (t.qualifier === undefined || isVersionQualifier(t.qualifier)) return t.qualifier ?? LATEST;
    return (await deps.aliases.get(t.accountId, t.name, t.qualifier)).functionVersion;
  }
}
