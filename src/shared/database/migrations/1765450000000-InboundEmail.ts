import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound email (IMAP): per-inbox receiving state (UID progress, lease, health, counters) and one
 * receipt per Message-ID ever taken from a mailbox, whose unique index is what makes an import
 * happen once. Threading looks messages up by Message-ID (`source_id`), hence its index.
 */
export class InboundEmail1765450000000 implements MigrationInterface {
  name = 'InboundEmail1765450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_inbound_mailboxes (
        inbox_id integer PRIMARY KEY REFERENCES inboxes (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        mailbox text NOT NULL DEFAULT 'INBOX',
        uid_validity bigint,
        last_uid bigint NOT NULL DEFAULT 0,
        retry_uids jsonb NOT NULL DEFAULT '{}',
        lease_owner uuid,
        lease_until timestamptz,
        ok boolean,
        last_error text,
        last_error_at timestamptz,
        last_success_at timestamptz,
        imported_count integer NOT NULL DEFAULT 0,
        dropped_count integer NOT NULL DEFAULT 0,
        bounce_count integer NOT NULL DEFAULT 0,
        blocked_count integer NOT NULL DEFAULT 0
      );

      CREATE TABLE mail_inbound_receipts (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        inbox_id integer NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
        message_id text NOT NULL,
        uid_validity bigint,
        uid bigint,
        outcome text NOT NULL CHECK (outcome IN ('imported', 'auto_reply', 'loop', 'bounce', 'blocked')),
        conversation_message_id integer REFERENCES conversation_messages (id) ON DELETE SET NULL,
        detail text
      );
      CREATE UNIQUE INDEX mail_inbound_receipts_message_id_key ON mail_inbound_receipts (message_id);
      CREATE INDEX mail_inbound_receipts_inbox_idx ON mail_inbound_receipts (inbox_id, created_at DESC);

      CREATE INDEX conversation_messages_source_id_idx ON conversation_messages (source_id) WHERE source_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS conversation_messages_source_id_idx;
      DROP TABLE IF EXISTS mail_inbound_receipts;
      DROP TABLE IF EXISTS mail_inbound_mailboxes;
    `);
  }
}
