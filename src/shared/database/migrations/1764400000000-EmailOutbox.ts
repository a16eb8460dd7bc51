import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox for outgoing email: one row per message, written in the same transaction
 * as the message, claimed by workers with a lease (`locked_until`) so a crash never loses it.
 */
export class EmailOutbox1764400000000 implements MigrationInterface {
  name = 'EmailOutbox1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_outbox (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        message_id integer NOT NULL UNIQUE REFERENCES conversation_messages (id) ON DELETE CASCADE,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL CHECK (max_attempts > 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        lease_token uuid,
        last_error text,
        sent_at timestamptz
      );
      CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at, id) WHERE state = 'queued';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS email_outbox`);
  }
}
