import pg from 'pg';

/** Names "this application's schema migrations" among the database's advisory locks. */
export const MIGRATION_LOCK_KEY = 7_316_902_153;
/** Names "creating the first admin on a fresh database". */
export const FIRST_ADMIN_LOCK_KEY = 7_316_902_154;

/**
 * Runs `run` while holding a session-level advisory lock, so instances starting together on one
 * database migrate one after another: the first applies the migrations, the others wait, then find
 * nothing pending. The lock is held on a connection outside the pool (a pool of one connection would
 * otherwise be taken by the lock while the migrations wait for it), and goes with that connection if
 * the process dies.
 */
export async function withMigrationLock<T>(url: string, run: () => Promise<T>, key = MIGRATION_LOCK_KEY): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await run();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
