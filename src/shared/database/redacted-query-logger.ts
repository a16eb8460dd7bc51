import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger for the app: failed queries are logged with their SQL and error, never their
 * parameters, which carry secrets (key hashes, encrypted provider keys, webhook secrets) and
 * customer content. Only errors and warnings are logged, as with `logging: ['error']` before.
 * With `schemaOutput` (the TypeORM CLI), what TypeORM reports about migrations and schema changes
 * (`migration:show`, `migration:run`) is written there too; the app stays quiet about them.
 */
export class RedactedQueryLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  constructor(private readonly schemaOutput?: (line: string) => void) {}

  logQuery(): void {}

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object): void {
    const message = typeof error === 'string' ? error : error.message;
    const count = Array.isArray(parameters) ? parameters.length : parameters ? Object.keys(parameters).length : 0;
    const sql = query.replace(/\s+/g, ' ').trim().slice(0, 500);
    this.logger.error(`query failed (${message}): ${sql}${count ? ` -- ${count} parameter(s) not logged` : ''}`);
  }

  logQuerySlow(): void {}

  logSchemaBuild(message: string): void {
    this.schemaOutput?.(message);
  }

  logMigration(message: string): void {
    this.schemaOutput?.(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
