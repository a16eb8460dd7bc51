import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DataSourceOptions } from 'typeorm';
import type { EnvironmentVariables } from '../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';
import { PreparingClient } from './prepared-statements.js';
import { RedactedQueryLogger } from './redacted-query-logger.js';

export type DatabaseKind = 'postgres' | 'pglite';

/** The options the app, the CLI and `ormconfig.ts` all build their data source from. */
export interface DatabaseHandle {
  kind: DatabaseKind;
  options: DataSourceOptions;
  /** The server URL (PostgreSQL), for connections outside the pool such as LISTEN. */
  url?: string;
  /** The embedded database (PGlite), which delivers NOTIFY to `listen()` in-process. */
  pglite?: PGlite;
  /** Releases what the handle owns (the embedded database), after the data source is destroyed. */
  close(): Promise<void>;
}

export const PGLITE_EXTENSIONS = { pg_trgm };

export function embeddedDataDir(dataDir: string): string {
  return resolve(dataDir, 'pglite');
}

export async function createEmbeddedDatabase(dataDir: string): Promise<PGlite> {
  const dir = embeddedDataDir(dataDir);
  mkdirSync(dir, { recursive: true });
  return PGlite.create({ dataDir: dir, extensions: PGLITE_EXTENSIONS });
}

const common = {
  type: 'postgres' as const,
  migrations: MIGRATIONS,
  migrationsRun: true,
  migrationsTransactionMode: 'each' as const,
  synchronize: false,
  // The migrations create the extensions they need; TypeORM must not add any on connect (it would for uuid columns).
  installExtensions: false,
  uuidExtension: 'pgcrypto' as const,
  logging: ['error' as const],
  logger: new RedactedQueryLogger(),
};

export interface OpenDatabaseOptions {
  /** The entity classes to map (`ENTITIES` from src/entities.ts: shared code never imports the modules). */
  entities: NonNullable<DataSourceOptions['entities']>;
  /** An instance the caller (the test harness) already opened; the handle then closes it too. */
  pglite?: PGlite;
}

/** The DATABASE_REPLICA_URLS list (already validated), without blanks. */
export function replicaUrls(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
}

/** Real PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite under DATA_DIR. */
export async function openDatabase(
  config: Pick<EnvironmentVariables, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_SIZE'> & Partial<Pick<EnvironmentVariables, 'DATABASE_REPLICA_URLS'>>,
  { entities, pglite }: OpenDatabaseOptions,
): Promise<DatabaseHandle> {
  if (config.DATABASE_URL && !pglite) {
    const replicas = replicaUrls(config.DATABASE_REPLICA_URLS);
    return {
      kind: 'postgres',
      url: config.DATABASE_URL,
      options: {
        ...common,
        entities,
        url: config.DATABASE_URL,
        // With replicas, TypeORM keeps one pool per server. Everything runs on the primary (`defaultMode`),
        // reads included; only the statements that ask for a replica (replica.ts) are sent to one.
        ...(replicas.length && {
          replication: { master: { url: config.DATABASE_URL }, slaves: replicas.map((url) => ({ url })), defaultMode: 'master' as const },
        }),
        poolSize: config.DB_POOL_SIZE,
        // JIT off for this OLTP workload: a plan whose estimate is high only because of an arm that never
        // runs (message search's one-time filters) otherwise spent 37 ms compiling for a 1 ms query.
        extra: { connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000, Client: PreparingClient, options: '-c jit=off' },
      },
      close: () => Promise.resolve(),
    };
  }
  const db = pglite ?? (await createEmbeddedDatabase(config.DATA_DIR));
  return {
    kind: 'pglite',
    pglite: db,
    // One connection: PGlite runs one query at a time, and the pool queues the rest.
    options: { ...common, entities, poolSize: 1, extra: { ...createPgConfig(db), Client: PreparingClient } },
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}
