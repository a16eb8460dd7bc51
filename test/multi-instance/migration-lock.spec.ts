import pg from 'pg';
import { ENTITIES } from '../../src/entities.js';
import { MIGRATIONS } from '../../src/shared/database/migrations/index.js';
import { openDatabase } from '../../src/shared/database/data-source-options.js';
import { RetryingDataSource } from '../../src/shared/database/retrying-data-source.js';
import { createDatabase, type Running, scratchDir, startServer } from '../support/process.js';

/** Every migration is recorded exactly once. */
async function expectMigratedOnce(url: string): Promise<void> {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ total: number; distinct: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT name)::int AS distinct FROM migrations`,
    );
    expect(rows[0]).toEqual({ total: MIGRATIONS.length, distinct: MIGRATIONS.length });
  } finally {
    await sql.end();
  }
}

describe.skipIf(!process.env.DATABASE_URL)('migrations under an advisory lock (PostgreSQL runs only)', () => {
  test('three data sources migrating one empty database at once all succeed, each migration applied once', async () => {
    const db = await createDatabase(process.env.DATABASE_URL!, 'libredesk_miglock');
    const sources: RetryingDataSource[] = [];
    try {
      const handle = await openDatabase({ DATABASE_URL: db.url, DATA_DIR: '/nonexistent', DB_POOL_SIZE: 3 }, { entities: ENTITIES });
      for (let i = 0; i < 3; i++) sources.push(new RetryingDataSource({ ...handle.options, logging: false }));
      await Promise.all(sources.map((s) => s.initialize()));
      await expectMigratedOnce(db.url);
    } finally {
      await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
      await db.drop();
    }
  }, 120_000);

  test('three server processes started together on a fresh database start cleanly, without a retry', async () => {
    const db = await createDatabase(process.env.DATABASE_URL!, 'libredesk_miglock');
    const dirs = Array.from({ length: 3 }, () => scratchDir());
    let servers: Running[] = [];
    try {
      const env = (dir: string) => ({ DATABASE_URL: db.url, DATA_DIR: dir, APP_SECRET: 'shared-secret-of-the-deployment-0123456789', LOG_LEVEL: 'log' });
      servers = await Promise.all(dirs.map((d) => startServer({ env: env(d.path) })));
      for (const s of servers) expect(s.output()).not.toMatch(/Unable to connect to the database|ERROR|already exists|duplicate key/);
      await expectMigratedOnce(db.url);
    } finally {
      const codes = await Promise.all(servers.map((s) => s.stop()));
      expect(codes).toEqual(Array(servers.length).fill(0));
      await db.drop();
      for (const d of dirs) d.remove();
    }
  }, 180_000);
});
