import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A fixed-window counter per API key or client address (RateLimitStore). The migration creates the
 * table UNLOGGED with fillfactor 70 (RateLimitIdempotency1764800000000): TypeORM neither models nor
 * diffs table persistence or storage parameters, so both live only in the migration.
 */
@Entity('rate_limit_counters')
export class RateLimitCounterEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'rate_limit_counters_pkey' })
  key: string;

  @Column({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ type: 'integer' })
  hits: number;
}
