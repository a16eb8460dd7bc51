import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../../src/entities.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The entities and the migrations describe the same schema: on a freshly migrated database (the test
 * template), TypeORM's own diff (what `migration:generate` would write) is empty. `npm run db:drift`
 * runs the same check through the TypeORM CLI.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

function entityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.entity.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('entities versus migrations', () => {
  test('TypeORM finds no schema difference after all migrations', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    const up = sql.upQueries.map((q) => `${q.query};`);
    expect(up, `The entities disagree with the migrations; TypeORM would run:\n  ${up.join('\n  ')}\n`).toHaveLength(0);
  });

  test('every entity class in a *.entity.ts file under src/ is registered in src/entities.ts', async () => {
    const files = entityFiles(join(import.meta.dirname, '../../src'));
    await Promise.all(files.map((file) => import(pathToFileURL(file).href)));
    const registered = new Set<unknown>(ENTITIES);
    const missing = getMetadataArgsStorage()
      .tables.map((table) => table.target)
      .filter((target) => typeof target === 'function' && !registered.has(target))
      .map((target) => (target as { name: string }).name);
    expect(missing, `Entity classes missing from ENTITIES (src/entities.ts): ${missing.join(', ')}`).toEqual([]);
  });
});
