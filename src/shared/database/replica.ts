import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';

const logger = new Logger('ReadReplica');

/** Replicas that refused a connection are skipped for this long before being tried again. */
const REPLICA_RETRY_MS = 5_000;
let replicaDownUntil = 0;

/**
 * Runs one read-only statement on a read replica (DATABASE_REPLICA_URLS) when there is one, else on
 * the primary. Only list and search repositories call it: their answers may trail the primary by the
 * replication lag. Everything else (transactions, the answer to a write) uses the DataSource as usual,
 * which runs on the primary (`replication.defaultMode: 'master'`).
 *
 * A replica that cannot be reached does not fail the request: the statement runs on the primary and
 * the replicas are left alone for a few seconds. Errors of the statement itself are not retried.
 */
export async function queryReplica<T>(dataSource: DataSource, sql: string, params?: unknown[]): Promise<T> {
  if (!isReplicated(dataSource) || Date.now() < replicaDownUntil) return dataSource.query<T>(sql, params);
  const runner: QueryRunner = dataSource.createQueryRunner('slave');
  try {
    await runner.connect();
  } catch (err) {
    await runner.release().catch(() => undefined);
    replicaDownUntil = Date.now() + REPLICA_RETRY_MS;
    logger.warn(`read replica unreachable, reading from the primary for ${REPLICA_RETRY_MS / 1000}s: ${(err as Error).message}`);
    return dataSource.query<T>(sql, params);
  }
  try {
    return await dataSource.query<T>(sql, params, runner);
  } finally {
    await runner.release();
  }
}

/** Whether the data source has replica pools (PostgreSQL with DATABASE_REPLICA_URLS). */
export function isReplicated(dataSource: DataSource): boolean {
  return (dataSource.driver as { isReplicated?: boolean }).isReplicated === true;
}
