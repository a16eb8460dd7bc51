import { contractOperations, HTTP_METHODS, type OpenApiDocument, type OpenApiOperation } from '../../src/shared/openapi/contract.js';

type Json = Record<string, unknown>;

/** The parts of a schema the served document must keep: types, formats, enums, bounds, required lists, nesting. */
export function schemaShape(schema: unknown, doc: OpenApiDocument, resolveRefs: boolean, seen = new Set<string>()): unknown {
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    if (!resolveRefs || seen.has(name)) return { $ref: name };
    return { $ref: name, resolved: schemaShape(doc.components.schemas?.[name], doc, resolveRefs, new Set([...seen, name])) };
  }
  const out: Json = {};
  for (const key of ['type', 'format', 'nullable', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'default'] as const) {
    if (s[key] !== undefined) out[key] = s[key];
  }
  if (Array.isArray(s.required)) out.required = [...(s.required as string[])].sort();
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties as Json).map(([k, v]) => [k, schemaShape(v, doc, resolveRefs, seen)]));
  }
  if (s.items) out.items = schemaShape(s.items, doc, resolveRefs, seen);
  if (s.additionalProperties !== undefined) out.additionalProperties = schemaShape(s.additionalProperties, doc, resolveRefs, seen);
  return out;
}

export interface OperationSignature {
  method: string;
  path: string;
  operationId: string;
  tags: string[];
  parameters: Record<string, unknown>;
  requestBody: unknown;
  successSchema: string | null;
  security: unknown;
}

/** What a client relies on for one operation, in a form two documents can be compared by. */
export function signature(method: string, path: string, op: OpenApiOperation, doc: OpenApiDocument): OperationSignature {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const body = op.requestBody as { required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined;
  const ok = (op.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> | undefined)?.['200'];
  const okSchema = ok?.content?.['application/json']?.schema;
  return {
    method,
    path,
    operationId: op.operationId ?? '(none)',
    tags: op.tags ?? [],
    parameters: Object.fromEntries(
      params.map((p) => [`${String(p.in)}:${String(p.name)}`, { required: p.required ?? false, schema: schemaShape(p.schema, doc, true) }]),
    ),
    requestBody: body
      ? {
          required: body.required ?? false,
          content: Object.fromEntries(Object.entries(body.content ?? {}).map(([type, media]) => [type, schemaShape(media.schema, doc, true)])),
        }
      : null,
    successSchema: okSchema ? (okSchema.$ref?.split('/').pop() ?? 'inline') : null,
    security: op.security,
  };
}

/** Differences between two JSON values, one readable line each: `path: contract X, served Y`. */
export function diff(expected: unknown, actual: unknown, at: string, allowExtraKeys = false): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const e = expected as Json;
    const a = actual as Json;
    const keys = new Set([...Object.keys(e), ...(allowExtraKeys ? [] : Object.keys(a))]);
    return [...keys].flatMap((k) => diff(e[k], a[k], `${at}.${k}`, allowExtraKeys));
  }
  return [`${at}: contract ${show(expected)}, served ${show(actual)}`];
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

export interface DriftReport {
  missing: string[];
  problems: string[];
}

/**
 * Compares the served document with the contract. `missing` lists contract operations the server does
 * not document; `problems` lists every other difference, one line each.
 */
export function compareDocuments(contract: OpenApiDocument, served: OpenApiDocument): DriftReport {
  const missing: string[] = [];
  const problems: string[] = [];
  const servedOps = new Map<string, { method: string; path: string; op: OpenApiOperation }>();
  for (const [path, item] of Object.entries(served.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const key = `${method} ${path}`;
      servedOps.set(key, { method, path, op });
    }
  }

  const contractOps = contractOperations(contract);
  const contractKeys = new Set([...contractOps.values()].map((c) => `${c.method} ${c.path}`));
  for (const [operationId, { method, path, op }] of contractOps) {
    const found = servedOps.get(`${method} ${path}`);
    if (!found) {
      missing.push(`${operationId} (${method.toUpperCase()} ${path})`);
      continue;
    }
    const want = signature(method, path, op, contract);
    const got = signature(method, path, found.op, served);
    if (path === '/health') want.security = [];
    // Additions beyond the contract (a cursor, conditional-request headers) are allowed when optional:
    // a client written for the contract never sends them. Every contract parameter must still match.
    for (const [key, param] of Object.entries(got.parameters)) {
      if (!(key in want.parameters) && (param as { required: boolean }).required === false) delete got.parameters[key];
    }
    problems.push(...diff(want, got, operationId));
  }

  const ids = new Map<string, string>();
  for (const [key, { op }] of servedOps) {
    const id = op.operationId;
    if (!id) problems.push(`${key}: served without an operationId`);
    else if (ids.has(id)) problems.push(`${key}: operationId ${id} is also used by ${ids.get(id)}`);
    else ids.set(id, key);
    if (contractKeys.has(key)) continue;
    if (id && contractOps.has(id)) problems.push(`${key}: uses contract operationId ${id}, which the contract has elsewhere`);
    if (!op.tags?.length) problems.push(`${key} (extension ${id}): no tags`);
    if (!Array.isArray(op.security)) problems.push(`${key} (extension ${id}): security not documented`);
    const responses = op.responses as Record<string, unknown> | undefined;
    if (!responses?.['200']) problems.push(`${key} (extension ${id}): no documented 200 response`);
  }

  problems.push(...diff(contract.components.securitySchemes, served.components?.securitySchemes, 'components.securitySchemes'));
  problems.push(...diff(contract.security, served.security, 'security'));
  problems.push(...diff(contract.info.title, served.info?.title, 'info.title'));
  for (const [name, schema] of Object.entries(contract.components.schemas ?? {})) {
    const mine = served.components?.schemas?.[name];
    if (!mine) {
      problems.push(`components.schemas.${name}: missing`);
      continue;
    }
    problems.push(...diff(schemaShape(schema, contract, false), schemaShape(mine, served, false), `components.schemas.${name}`, true));
  }
  return { missing, problems };
}
