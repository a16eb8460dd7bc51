import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared state for rate limits and idempotency keys, so several server processes on one database
 * agree.
 * - `rate_limit_counters`: one fixed-window counter per API key or client address, bumped by one
 *   upsert per request. UNLOGGED: a counter lost in a crash costs nothing, and skipping the WAL keeps
 *   the per-request write cheap. The fill factor leaves room for HOT updates of the same row.
 * - `idempotency_keys`: the first response to a POST with an `Idempotency-Key`, per agent. The row is
 *   inserted (as a lock) before the work starts and completed with the response when it ends.
 */
export class RateLimitIdempotency1764800000000 implements MigrationInterface {
  name = 'RateLimitIdempotency1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_counters (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL
      ) WITH (fillfactor = 70);

      CREATE TABLE idempotency_keys (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key varchar(255) NOT NULL,
        fingerprint text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        state text NOT NULL DEFAULT 'in_flight' CHECK (state IN ('in_flight', 'completed')),
        lock_token uuid NOT NULL,
        locked_at timestamptz NOT NULL DEFAULT now(),
        response_status integer,
        response_headers jsonb,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        expires_at timestamptz NOT NULL,
        CONSTRAINT idempotency_keys_user_key UNIQUE (user_id, key)
      );
      CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys; DROP TABLE IF EXISTS rate_limit_counters;`);
  }
}
