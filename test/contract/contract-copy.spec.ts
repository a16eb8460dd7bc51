import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_FILE, projectRoot } from '../../src/shared/openapi/contract.js';

const root = projectRoot();
const shared = join(root, '..', 'shared', 'contract', 'openapi.json');
const present = existsSync(shared);

if (!present) console.warn(`[contract-copy] ${shared} is not present; the byte-identity check is skipped.`);

describe('contract copy', () => {
  const name = `${CONTRACT_FILE} is byte-identical to ../shared/contract/openapi.json`;
  (present ? test : test.skip)(present ? name : `${name} (skipped: ${shared} not found)`, () => {
    const copy = readFileSync(join(root, CONTRACT_FILE));
    const original = readFileSync(shared);
    expect(copy.equals(original), `${CONTRACT_FILE} differs from ${shared}; copy it again (cp ${shared} ${CONTRACT_FILE})`).toBe(true);
  });

  test(`${CONTRACT_FILE} is an OpenAPI 3.0 document with the 54 Libredesk operations`, () => {
    const doc = JSON.parse(readFileSync(join(root, CONTRACT_FILE), 'utf8')) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\.0\./);
    const ops = Object.values(doc.paths).flatMap((item) => Object.keys(item).filter((k) => ['get', 'post', 'put', 'delete', 'patch'].includes(k)));
    expect(ops).toHaveLength(54);
  });
});
