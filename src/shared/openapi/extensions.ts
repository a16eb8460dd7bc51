import { ApiExtension } from '@nestjs/swagger';
import type { OpenApiDocument, OpenApiOperation } from './contract.js';

type Json = Record<string, unknown>;

/**
 * Documentation for a feature beyond the contract on an operation the contract documents (or on an
 * extension operation). It only adds: new optional parameters, new response codes, headers on the
 * 200 answer, and properties of the 200 answer's `data`. The document builder refuses an extension
 * that would redefine anything the contract says.
 */
export interface ContractExtension {
  parameters?: Json[];
  responses?: Record<string, Json>;
  okHeaders?: Record<string, Json>;
  okDataProperties?: Record<string, Json>;
}

const PREFIX = 'x-contract-extension-';

/** Attaches a named extension to a route; the document builder merges it (see `applyExtension`). */
export const ApiContractExtension = (name: string, extension: ContractExtension) => ApiExtension(`${PREFIX}${name}`, extension);

const errorEnvelope = (errorType: string, description: string): Json => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['status', 'message', 'data', 'error_type'],
        properties: {
          status: { type: 'string', enum: ['error'] },
          message: { type: 'string' },
          data: { type: 'object', nullable: true },
          error_type: { type: 'string', enum: [errorType] },
        },
      },
    },
  },
});

/** Every JSON GET of the API (shared/http/conditional.ts). */
export const CONDITIONAL_GET: ContractExtension = {
  parameters: [
    {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: 'An `ETag` from an earlier answer (or a list of them, or `*`). When it still matches, the answer is 304 with no body.',
    },
  ],
  okHeaders: {
    ETag: { description: 'Strong entity tag of this answer (a hash of the body). Send it as `If-None-Match` or `If-Match`.', schema: { type: 'string' } },
  },
  responses: { '304': { description: 'Not modified: `If-None-Match` matches the current `ETag`. No body.' } },
};

/** A write that honours `If-Match` (optimistic concurrency). */
export const ApiIfMatch = () =>
  ApiContractExtension('if-match', {
    parameters: [
      {
        name: 'If-Match',
        in: 'header',
        required: false,
        schema: { type: 'string' },
        description:
          'Apply the change only if the resource is unchanged: the `ETag` its GET returned to you (or `*` for any existing resource). ' +
          'Checked atomically with the write; otherwise 412.',
      },
    ],
    responses: { '412': errorEnvelope('PreconditionFailedException', 'Precondition failed: the resource changed since the `If-Match` ETag was read') },
  });

/** A list that also pages by cursor (shared/http/keyset.ts). */
export const ApiCursorPage = () =>
  ApiContractExtension('cursor', {
    parameters: [
      {
        name: 'cursor',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description:
          'Opaque cursor from `next_cursor` of the previous page: continue after it (instead of `page`; giving both is a 400). ' +
          'A cursor page costs the same at any depth and is not shifted by new rows. With a cursor, `page` is 0.',
      },
    ],
    okDataProperties: {
      next_cursor: { type: 'string', nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page' },
    },
  });

/** The extensions attached to a generated operation, removed from it. */
export function takeExtensions(op: OpenApiOperation): ContractExtension[] {
  const found: ContractExtension[] = [];
  for (const key of Object.keys(op)) {
    if (!key.startsWith(PREFIX)) continue;
    found.push(op[key] as ContractExtension);
    delete op[key];
  }
  return found;
}

/** `op` (a copy) with `extension` added; components of `doc` gain `okDataProperties`. Refuses to redefine anything. */
export function applyExtension(op: OpenApiOperation, extension: ContractExtension, doc: OpenApiDocument, where: string): OpenApiOperation {
  const out = structuredClone(op);
  const params = ((out.parameters as Json[] | undefined) ?? []).slice();
  for (const p of extension.parameters ?? []) {
    const same = (q: Json) => q.in === p.in && String(q.name).toLowerCase() === String(p.name).toLowerCase();
    if (params.some(same)) throw new Error(`${where}: extension parameter ${String(p.in)}:${String(p.name)} is already documented`);
    if (p.required) throw new Error(`${where}: extension parameter ${String(p.name)} must be optional`);
    params.push(p);
  }
  if (params.length) out.parameters = params;
  const responses = { ...((out.responses as Record<string, Json> | undefined) ?? {}) };
  for (const [status, response] of Object.entries(extension.responses ?? {})) {
    if (responses[status]) throw new Error(`${where}: response ${status} is already documented`);
    responses[status] = response;
  }
  if (extension.okHeaders && responses['200']) {
    const ok = { ...responses['200'] };
    const headers = { ...((ok.headers as Json | undefined) ?? {}) };
    for (const [name, header] of Object.entries(extension.okHeaders)) {
      if (headers[name]) throw new Error(`${where}: header ${name} is already documented`);
      headers[name] = header;
    }
    responses['200'] = { ...ok, headers };
  }
  out.responses = responses;
  if (extension.okDataProperties) addDataProperties(responses['200'], extension.okDataProperties, doc, where);
  return out;
}

/** Adds properties to `data` of a 200 answer, in the referenced component when there is one. */
function addDataProperties(ok: Json | undefined, properties: Record<string, Json>, doc: OpenApiDocument, where: string): void {
  const content = (ok?.content as Record<string, { schema?: Json }> | undefined)?.['application/json'];
  let schema = content?.schema;
  const resolve = (s: Json | undefined) => (typeof s?.$ref === 'string' ? (doc.components.schemas?.[s.$ref.split('/').pop()!] as Json | undefined) : s);
  schema = resolve(schema);
  const data = resolve((schema?.properties as Json | undefined)?.data as Json | undefined);
  const target = data?.properties as Json | undefined;
  if (!target) throw new Error(`${where}: no object \`data\` in the 200 answer to add ${Object.keys(properties).join(', ')} to`);
  for (const [name, property] of Object.entries(properties)) {
    if (target[name] !== undefined && JSON.stringify(target[name]) !== JSON.stringify(property)) {
      throw new Error(`${where}: data.${name} is already documented differently`);
    }
    target[name] = property;
  }
}

/** A list taking upstream's `filters`, `order_by` and `order` (shared/http/list-filters.ts; README "List filters and sorting"). */
export const ApiListFilters = (fields: readonly string[], defaultSort: string, options: { filters?: boolean } = {}) =>
  ApiContractExtension('list-filters', {
    parameters: [
      ...(options.filters === false
        ? []
        : [
            {
              name: 'filters',
              in: 'query',
              required: false,
              schema: { type: 'string' },
              example: '[{"model":"conversations","field":"status_id","operator":"equals","value":"1"}]',
              description:
                'URL-encoded JSON: a flat array of conditions `{model, field, operator, value}` (AND-ed) or a `{logic: AND|OR, rules}` tree ' +
                '(groups nest 2 levels; at most 10 groups, 50 conditions, 100 `in` values). `value` is always a string. ' +
                'Operators: equals, not equals, greater than, less than, between ("a,b"), in (JSON array of strings), contains/ilike, ' +
                'not contains, set, not set. `YYYY-MM-DD` dates are UTC day ranges. ' +
                `Fields: ${fields.join(', ')}. An invalid filter is a 400 naming the reason.`,
            },
          ]),
      {
        name: 'order_by',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: fields.filter((f) => !f.endsWith('.tags')) },
        description: `The sort field (default \`${defaultSort}\`); NULLs sort last, the id breaks ties. Cursors stay valid only for the same order.`,
      },
      { name: 'order', in: 'query', required: false, schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' }, description: 'Sort direction' },
    ],
  });
