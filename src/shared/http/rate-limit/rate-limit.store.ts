import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RateLimitCounterEntity } from '../../database/entities/rate-limit-counter.entity.js';

/** Hits counted in the current window of one counter, and whole seconds until that window ends. */
export interface WindowCount {
  hits: number;
  resetSeconds: number;
}

type HitRow = Pick<RateLimitCounterEntity, 'hits'> & {
  reset_seconds: number;
  peek_hits: number | null;
  peek_reset_seconds: number | null;
};

/**
 * Counts one hit on $1 in a window of $2 seconds and reads the live window of $3 in the same
 * statement. Runs on every authenticated request.
 */
export const RATE_LIMIT_HIT_SQL = `
  WITH peek AS (
    SELECT hits, window_start FROM rate_limit_counters
     WHERE key = $3 AND window_start > now() - make_interval(secs => $2)
  )
  INSERT INTO rate_limit_counters AS c (key, window_start, hits) VALUES ($1, now(), 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN c.window_start > now() - make_interval(secs => $2) THEN c.hits + 1 ELSE 1 END,
    window_start = CASE WHEN c.window_start > now() - make_interval(secs => $2) THEN c.window_start ELSE now() END
  RETURNING c.hits,
            ceil(extract(epoch FROM c.window_start + make_interval(secs => $2) - now()))::int AS reset_seconds,
            (SELECT hits FROM peek) AS peek_hits,
            (SELECT ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int FROM peek) AS peek_reset_seconds`;

/**
 * Fixed-window counters in `rate_limit_counters`, shared by every instance on the database. A window
 * starts at a counter's first hit and lasts `windowSeconds`; the database clock decides, so instances
 * with skewed clocks still agree. One statement per hit, atomic under concurrency.
 */
@Injectable()
export class RateLimitStore {
  constructor(@InjectRepository(RateLimitCounterEntity) private readonly counters: Repository<RateLimitCounterEntity>) {}

  /**
   * Counts one hit on `key` and, in the same statement, reads the live window of `peekKey`
   * (null when it has none), so a second limit can be checked without another round trip.
   */
  async hit(key: string, windowSeconds: number, peekKey: string | null = null): Promise<{ hit: WindowCount; peek: WindowCount | null }> {
    const rows = await this.counters.query<HitRow[]>(RATE_LIMIT_HIT_SQL, [key, windowSeconds, peekKey]);
    const row = rows[0];
    return {
      hit: { hits: Number(row.hits), resetSeconds: Math.max(1, Number(row.reset_seconds)) },
      peek: row.peek_hits === null ? null : { hits: Number(row.peek_hits), resetSeconds: Math.max(1, Number(row.peek_reset_seconds)) },
    };
  }

  /** Deletes counters whose window ended more than `graceSeconds` ago; returns how many. */
  async sweep(windowSeconds: number, graceSeconds = 60): Promise<number> {
    const result = await this.counters
      .createQueryBuilder()
      .delete()
      .where('window_start < now() - make_interval(secs => :seconds)', { seconds: windowSeconds + graceSeconds })
      .execute();
    return result.affected ?? 0;
  }
}
