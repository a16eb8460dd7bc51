import { HTTP_METHODS, type OpenApiDocument } from '../../../src/shared/openapi/contract.js';

/** A JSON schema as OpenAPI writes it, with `$ref` and `allOf` already resolved. */
export interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
}

export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}

export interface FuzzOperation {
  operationId: string;
  method: string;
  /** The OpenAPI path template, e.g. `/api/v1/conversations/{uuid}`. */
  path: string;
  pathParams: ParamSpec[];
  queryParams: ParamSpec[];
  body?: { contentType: 'application/json' | 'multipart/form-data'; schema: Schema; required: string[] };
}

type Raw = Record<string, unknown>;

function resolve(doc: OpenApiDocument, schema: unknown, depth = 0): Schema {
  if (!schema || typeof schema !== 'object' || depth > 20) return {};
  let s = schema as Raw;
  if (typeof s.$ref === 'string') s = (doc.components.schemas?.[s.$ref.split('/').pop()!] ?? {}) as Raw;
  const out: Raw = { ...s };
  if (Array.isArray(s.allOf)) {
    delete out.allOf;
    for (const part of s.allOf) {
      const r = resolve(doc, part, depth + 1) as Raw;
      Object.assign(out, r, { properties: { ...(out.properties as Raw), ...(r.properties as Raw) } });
    }
  }
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Raw).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
  }
  if (out.items) out.items = resolve(doc, out.items, depth + 1);
  return out;
}

/** Every operation of the served OpenAPI document: the 54 contract operations and the extension endpoints. */
export function fuzzOperations(doc: OpenApiDocument): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (path.startsWith('/docs')) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method] as Raw | undefined;
      if (typeof op?.operationId !== 'string' || !op.operationId) continue;
      const params = ((op.parameters as Raw[] | undefined) ?? []).map((p) => (typeof p.$ref === 'string' ? resolveParam(doc, p.$ref) : p));
      const spec = (p: Raw): ParamSpec => ({
        name: String(p.name),
        in: p.in as 'path' | 'query',
        required: p.required === true,
        schema: resolve(doc, p.schema),
      });
      const content = ((op.requestBody as Raw | undefined)?.content ?? {}) as Record<string, { schema?: unknown }>;
      const contentType = (['application/json', 'multipart/form-data'] as const).find((c) => content[c]);
      const bodySchema = contentType ? resolve(doc, content[contentType].schema) : undefined;
      ops.push({
        operationId: op.operationId,
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map(spec),
        queryParams: params.filter((p) => p.in === 'query').map(spec),
        body: contentType && bodySchema ? { contentType, schema: bodySchema, required: bodySchema.required ?? [] } : undefined,
      });
    }
  }
  return ops;
}

function resolveParam(doc: OpenApiDocument, ref: string): Raw {
  const parameters = (doc.components as Raw).parameters as Record<string, Raw> | undefined;
  return parameters?.[ref.split('/').pop()!] ?? {};
}
