import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { withMigrationLock } from './migration-lock.js';
import { acceptExtraColumnTypes } from './column-types.js';

/** PostgreSQL's "run it again" errors: the transaction was rolled back as a whole. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

export function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * A DataSource whose transactions are run again when PostgreSQL picks them as a deadlock victim
 * or refuses them as a serialization failure. Concurrent writers that lock rows in different
 * orders (a team deletion cascading into conversations while a reply updates one) otherwise
 * surface as a 500. Transaction callbacks load what they change inside the transaction, so a
 * second run starts from the committed state.
 */
export class RetryingDataSource extends DataSource {
  constructor(options: DataSourceOptions) {
    super(options);
    acceptExtraColumnTypes(this);
  }

  override transaction<T>(runInTransaction: (entityManager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(isolationLevel: IsolationLevel, runInTransaction: (entityManager: EntityManager) => Promise<T>): Promise<T>;
  override async transaction<T>(
    first: IsolationLevel | ((entityManager: EntityManager) => Promise<T>),
    second?: (entityManager: EntityManager) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return typeof first === 'function' ? await super.transaction(first) : await super.transaction(first, second!);
      } catch (err) {
        if (attempt >= ATTEMPTS || !isRetryableConflict(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 40));
      }
    }
  }

  /** On a server, under the migration lock; PGlite is one process with one connection, so nothing can race there. */
  override runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): ReturnType<DataSource['runMigrations']> {
    const url = (this.options as { url?: string }).url;
    if (!url) return super.runMigrations(options);
    return withMigrationLock(url, () => super.runMigrations(options));
  }
}
