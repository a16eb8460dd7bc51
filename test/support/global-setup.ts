import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { PGLITE_EXTENSIONS } from '../../src/shared/database/data-source-options.js';
import { MIGRATIONS } from '../../src/shared/database/migrations/index.js';

/**
 * Migrates one template database per run. On PGlite it is dumped to a file each test file loads;
 * on PostgreSQL (DATABASE_URL) it is a template database each test file clones with CREATE DATABASE.
 */
export default async function setup(project: TestProject) {
  const workDir = mkdtempSync(join(tmpdir(), 'libredesk-test-'));
  const url = process.env.DATABASE_URL;
  if (url) {
    const templateName = `libredesk_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
    await admin.query(`CREATE DATABASE ${templateName}`);
    const templateUrl = withDatabase(url, templateName);
    const ds = new DataSource({ type: 'postgres', url: templateUrl, migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    project.provide('pgTemplate', templateName);
    project.provide('pgliteTemplate', '');
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${templateName} WITH (FORCE)`);
      await admin.end();
      rmSync(workDir, { recursive: true, force: true });
    };
  }
  const db = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  const ds = new DataSource({ type: 'postgres', poolSize: 1, extra: createPgConfig(db), migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  const dump = await db.dumpDataDir('none');
  await db.close();
  const file = join(workDir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
  return () => rmSync(workDir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
  }
}
