import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps one transaction's events consecutive under the sequencer of EventSequencer1765000000000.
 * Concurrent writers interleave their inserts, so numbering pending events by `seq` alone could put
 * another transaction's event between two of one request's. Each event now records the id of the
 * transaction that wrote it, and a numbering run orders by (transaction, seq): a transaction's events
 * commit together, so one run sees all of them, and it numbers them as one consecutive block. A run
 * numbers everything pending (no batch limit), so a large transaction is never split across runs.
 */
export class EventTransactionOrder1765300000000 implements MigrationInterface {
  name = 'EventTransactionOrder1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events ADD COLUMN txid xid8;
      ALTER TABLE events ALTER COLUMN txid SET DEFAULT pg_current_xact_id();

      DROP FUNCTION events_number_committed(integer);
      CREATE FUNCTION events_number_committed() RETURNS bigint LANGUAGE plpgsql AS $fn$
      DECLARE
        head bigint;
        numbered bigint;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM events WHERE id IS NULL) THEN
          RETURN 0;
        END IF;
        -- Serialises numbering runs; each statement below reads a snapshot taken after this lock.
        SELECT last_id INTO head FROM event_sequence FOR UPDATE;
        WITH pending AS (
          SELECT seq, row_number() OVER (ORDER BY txid NULLS FIRST, seq) AS k FROM events WHERE id IS NULL
        )
        UPDATE events e SET id = head + pending.k FROM pending WHERE e.seq = pending.seq AND e.id IS NULL;
        GET DIAGNOSTICS numbered = ROW_COUNT;
        IF numbered > 0 THEN
          UPDATE event_sequence SET last_id = head + numbered;
          PERFORM pg_notify('libredesk_events', (head + numbered)::text);
        END IF;
        RETURN numbered;
      END
      $fn$;

      CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF OLD.id IS NOT NULL OR NEW.seq <> OLD.seq OR NEW.type <> OLD.type OR NEW.payload <> OLD.payload
           OR NEW.created_at <> OLD.created_at OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id
           OR NEW.assigned_user_id IS DISTINCT FROM OLD.assigned_user_id
           OR NEW.assigned_team_id IS DISTINCT FROM OLD.assigned_team_id OR NEW.txid IS DISTINCT FROM OLD.txid THEN
          RAISE EXCEPTION 'events are append-only';
        END IF;
        RETURN NEW;
      END
      $fn$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF OLD.id IS NOT NULL OR NEW.seq <> OLD.seq OR NEW.type <> OLD.type OR NEW.payload <> OLD.payload
           OR NEW.created_at <> OLD.created_at OR NEW.conversation_id IS DISTINCT FROM OLD.conversation_id
           OR NEW.assigned_user_id IS DISTINCT FROM OLD.assigned_user_id
           OR NEW.assigned_team_id IS DISTINCT FROM OLD.assigned_team_id THEN
          RAISE EXCEPTION 'events are append-only';
        END IF;
        RETURN NEW;
      END
      $fn$;
      DROP FUNCTION events_number_committed();
      CREATE FUNCTION events_number_committed(batch integer DEFAULT 10000) RETURNS bigint LANGUAGE plpgsql AS $fn$
      DECLARE
        head bigint;
        numbered bigint;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM events WHERE id IS NULL) THEN
          RETURN 0;
        END IF;
        SELECT last_id INTO head FROM event_sequence FOR UPDATE;
        WITH pending AS (
          SELECT seq, row_number() OVER (ORDER BY seq) AS k
            FROM (SELECT seq FROM events WHERE id IS NULL ORDER BY seq LIMIT batch) p
        )
        UPDATE events e SET id = head + pending.k FROM pending WHERE e.seq = pending.seq AND e.id IS NULL;
        GET DIAGNOSTICS numbered = ROW_COUNT;
        IF numbered > 0 THEN
          UPDATE event_sequence SET last_id = head + numbered;
          PERFORM pg_notify('libredesk_events', (head + numbered)::text);
        END IF;
        RETURN numbered;
      END
      $fn$;
      ALTER TABLE events DROP COLUMN txid;
    `);
  }
}
