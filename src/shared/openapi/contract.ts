import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTRACT_FILE = 'openapi/libredesk.openapi.json';

/** The project root: the nearest folder above this file holding the contract copy. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, CONTRACT_FILE))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find ${CONTRACT_FILE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export interface OpenApiOperation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers?: unknown[];
  security?: unknown[];
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown>; [key: string]: unknown };
}

let cached: OpenApiDocument | undefined;

/** The Libredesk contract (`openapi/libredesk.openapi.json`), read once. */
export function loadContract(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(join(projectRoot(), CONTRACT_FILE), 'utf8')) as OpenApiDocument;
  return structuredClone(cached);
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

export function contractOperations(doc: OpenApiDocument): Map<string, { path: string; method: string; op: OpenApiOperation }> {
  const out = new Map<string, { path: string; method: string; op: OpenApiOperation }>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (op?.operationId) out.set(op.operationId, { path, method, op });
    }
  }
  return out;
}
