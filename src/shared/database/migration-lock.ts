import type { DataSource } from 'typeorm';

/** Names "this application's schema migrations" among the database's advisory locks. */
export const MIGRATION_LOCK_KEY = 7_316_902_153;

/**
 * Runs `run` while holding a session-level advisory lock on a connection of its own, so instances
 * starting together on one database migrate one after another: the first applies the migrations, the
 * others wait, then find nothing pending. The lock goes with the connection if the process dies.
 */
export async function withMigrationLock<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await run();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
