import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { isEmail } from 'class-validator';
import { applyRulings } from '../../client/contract-rulings.mjs';
import { EMAIL_OPTIONS } from '../../src/shared/http/validators.js';
import { contractOperations, loadContract, type OpenApiDocument } from '../../src/shared/openapi/contract.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ?? addFormatsPlugin) as unknown as (
  ajv: Ajv,
  formats?: string[],
) => Ajv;

type JsonSchema = Record<string, unknown>;

/**
 * Objects whose properties stay optional. Everywhere else every documented property must be present
 * (null when nullable, [] when empty): `Message.meta` is an open set of email headers, of which
 * `from` and `subject` exist only on inbound email (reference §5.6).
 */
const OPEN_OBJECTS = new Set(['Message.meta']);

const OPENAPI_ONLY = new Set(['example', 'nullable', 'xml', 'externalDocs', 'deprecated', 'discriminator', 'readOnly', 'writeOnly']);

/**
 * An OpenAPI 3.0 schema object as JSON Schema for ajv; `at` names the spot, e.g. `Message.meta`.
 * `allPresent`: the contract's rule that every documented property is present; the server's own
 * extension schemas state which properties are `required` themselves.
 */
export function toJsonSchema(schema: unknown, at: string, allPresent = true): JsonSchema {
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    const ref = { $ref: `contract#/$defs/${s.$ref.split('/').pop()}` };
    return s.nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(s)) {
    if (OPENAPI_ONLY.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as object).map(([name, p]) => [name, toJsonSchema(p, `${at}.${name}`, allPresent)]));
    } else if (key === 'items' || key === 'not') {
      out[key] = toJsonSchema(value, `${at}[]`, allPresent);
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      out[key] = toJsonSchema(value, `${at}{}`, allPresent);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = (value as unknown[]).map((v) => toJsonSchema(v, at, allPresent));
    } else {
      out[key] = value;
    }
  }
  if (s.properties && allPresent && !OPEN_OBJECTS.has(at)) {
    out.required = [...new Set([...((s.required as string[] | undefined) ?? []), ...Object.keys(s.properties)])];
  }
  if (s.nullable === true) {
    // `nullable` beside a composition (Nest writes a nullable object property as `type: object, allOf: [$ref]`): null or the schema.
    if (typeof out.type !== 'string' || out.allOf || out.anyOf || out.oneOf) return { anyOf: [out, { type: 'null' }] };
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

/** The error type each status is answered with (DECISIONS.md, "Envelopes and status codes"). */
const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'InputException',
  401: 'UnauthorizedException',
  403: 'PermissionException',
  404: 'NotFoundException',
  409: 'ConflictException',
  // Beyond the contract: a conditional write whose If-Match no longer matches (shared/http/conditional.ts).
  412: 'PreconditionFailedException',
  413: 'PayloadTooLargeException',
  429: 'RateLimitException',
  500: 'GeneralException',
};
const ERROR_TYPES = [...new Set([...Object.values(ERROR_TYPE_BY_STATUS), 'NetworkException'])];

const ERROR_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['status', 'message', 'data', 'error_type'],
  additionalProperties: false,
  properties: {
    status: { const: 'error' },
    message: { type: 'string', minLength: 1 },
    data: { type: ['object', 'null'] },
    error_type: { enum: ERROR_TYPES },
  },
};

const SUCCESS_ENVELOPE: JsonSchema = {
  type: 'object',
  required: ['status', 'data'],
  properties: { status: { const: 'success' }, data: {} },
};

/** RFC 3339 date-time in UTC, as the rulings require: `2025-09-14T18:53:01.172Z`. */
function isUtcRfc3339(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 61;
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  path: string;
}

interface Route extends MatchedOperation {
  pattern: RegExp;
  literals: number;
}

export interface ResponseLike {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Validates responses against the Libredesk contract: a 200 from a contract operation against its
 * documented response schema (with the DECISIONS.md rulings applied), any other JSON success against
 * the success envelope, and every 4xx/5xx against the error envelope.
 */
export class ContractValidator {
  readonly document: OpenApiDocument;
  private readonly ajv: Ajv;
  private readonly routes: Route[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly schemaNames = new Map<string, string>();
  private readonly errorValidator: ValidateFunction;
  private readonly successValidator: ValidateFunction;
  /** Operations whose documented 200 answer is not JSON (files, redirects to them). */
  private readonly nonJson = new Set<string>();

  /**
   * `contract` is the Libredesk contract by default; given the served `/docs-json` instead, every
   * operation the server documents (extensions included) is checked against its own documentation.
   */
  constructor(contract: OpenApiDocument = loadContract()) {
    this.document = applyRulings(contract);
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv, ['uuid', 'binary']);
    this.ajv.addFormat('date-time', { type: 'string', validate: isUtcRfc3339 });
    // The server's own rule for addresses (a TLD is optional: `support@localhost`), stricter than none, laxer than ajv-formats.
    this.ajv.addFormat('email', { type: 'string', validate: (v: string) => isEmail(v, EMAIL_OPTIONS) });
    const original = loadContract();
    const inContract = (name: string) => original.components.schemas?.[name] !== undefined;
    const contractOps = contractOperations(original);
    const defs = Object.fromEntries(
      Object.entries(this.document.components.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema, name, inContract(name))]),
    );
    this.ajv.addSchema({ $id: 'contract', $defs: defs });
    this.errorValidator = this.ajv.compile(ERROR_ENVELOPE);
    this.successValidator = this.ajv.compile(SUCCESS_ENVELOPE);
    for (const [operationId, { path, method, op }] of contractOperations(this.document)) {
      const segments = path.split('/');
      const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);
      this.routes.push({ operationId, method, path, pattern, literals: segments.filter((s) => !s.startsWith('{')).length });
      const ok = (op.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>)['200'];
      if (ok?.content && !ok.content['application/json']) this.nonJson.add(operationId);
      const schema = ok?.content?.['application/json']?.schema;
      if (!schema) continue;
      this.schemaNames.set(operationId, schema.$ref?.split('/').pop() ?? 'inline schema');
      this.compiled.set(operationId, this.ajv.compile({ allOf: [SUCCESS_ENVELOPE, toJsonSchema(schema, operationId, contractOps.has(operationId))] }));
    }
    // A literal segment beats a parameter: /agents/me before /agents/{id}.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  /** The contract operation served at `method` + `url` (query string ignored), if any. */
  match(method: string, url: string): MatchedOperation | undefined {
    const path = new URL(url, 'http://localhost').pathname;
    const m = method.toLowerCase();
    const route = this.routes.find((r) => r.method === m && r.pattern.test(path));
    return route && { operationId: route.operationId, method: route.method, path: route.path };
  }

  /** Problems with a response, as readable lines; empty when it complies. */
  problems(method: string, url: string, res: ResponseLike): string[] {
    if (method.toUpperCase() === 'HEAD' || (res.status >= 300 && res.status < 400)) return [];
    const path = new URL(url, 'http://localhost').pathname;
    const op = this.match(method, url);
    const isJson = /^application\/json\b/i.test(String(res.headers['content-type'] ?? ''));
    if (res.status >= 400) {
      if (!isJson) return [`error response is not the JSON error envelope (content-type ${String(res.headers['content-type'])})`];
      const out = this.run(this.errorValidator, res.body);
      const type = (res.body as { error_type?: string } | null)?.error_type;
      const expected = ERROR_TYPE_BY_STATUS[res.status];
      if (expected && type !== undefined && type !== expected) out.push(`HTTP ${res.status} must carry error_type ${expected}, got ${type}`);
      return out;
    }
    if (op) {
      if (res.status !== 200) return [`every success is HTTP 200 (DECISIONS.md), got ${res.status}`];
      if (this.nonJson.has(op.operationId)) return [];
      if (!isJson) return [`expected application/json, got content-type ${String(res.headers['content-type'])}`];
      const validate = this.compiled.get(op.operationId);
      return validate ? this.run(validate, res.body) : [];
    }
    if (isJson && path !== '/docs-json' && !path.startsWith('/docs/')) return this.run(this.successValidator, res.body);
    return [];
  }

  /** Throws a readable error when the response breaks the contract. */
  assertResponse(method: string, url: string, res: ResponseLike): void {
    const problems = this.problems(method, url, res);
    if (problems.length === 0) return;
    const op = this.match(method, url);
    const against =
      res.status >= 400 ? 'the error envelope' : op ? `${op.operationId} → ${this.schemaNames.get(op.operationId) ?? 'schema'}` : 'the success envelope';
    const body = JSON.stringify(res.body);
    throw new ContractViolation(
      [
        `Response to ${method.toUpperCase()} ${url} (HTTP ${res.status}) violates the contract (${against}):`,
        ...problems.map((p) => `  - ${p}`),
        `  body: ${body && body.length > 1500 ? `${body.slice(0, 1500)}…` : body}`,
      ].join('\n'),
    );
  }

  /** Validates a body against the 200 schema of an operation (for clients other than supertest). */
  validateSuccess(operationId: string, body: unknown): string[] {
    const validate = this.compiled.get(operationId);
    if (!validate) throw new Error(`No 200 schema for ${operationId}`);
    return this.run(validate, body);
  }

  private run(validate: ValidateFunction, body: unknown): string[] {
    if (validate(body)) return [];
    return [...new Set((validate.errors ?? []).filter((e) => e.keyword !== 'allOf').map((e) => describeError(e, body)))];
  }
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

function valueAt(body: unknown, pointer: string): unknown {
  let cur = body;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

function describeError(e: ErrorObject, body: unknown): string {
  const where = e.instancePath || '(body)';
  if (e.keyword === 'required' || e.keyword === 'additionalProperties') return `${where}: ${e.message}`;
  const got = JSON.stringify(valueAt(body, e.instancePath));
  const allowed = e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}` : '';
  return `${where}: ${e.message}${allowed} (got ${got === undefined ? 'undefined' : got.length > 120 ? `${got.slice(0, 120)}…` : got})`;
}

let shared: ContractValidator | undefined;

/** One validator per test file (compiling the contract takes a moment). */
export function contractValidator(): ContractValidator {
  shared ??= new ContractValidator();
  return shared;
}

const served = new Map<string, ContractValidator>();

/** A validator for a served `/docs-json` (the contract's operations plus the extensions), one per distinct document. */
export function servedDocumentValidator(document: OpenApiDocument): ContractValidator {
  const key = JSON.stringify(document);
  let validator = served.get(key);
  if (!validator) served.set(key, (validator = new ContractValidator(document)));
  return validator;
}
