import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event ids are now given after commit, by a sequencer, instead of by a deferred trigger at commit.
 *
 * The trigger of EventsWebhooks1764700000000 took the one-row counter's lock inside every
 * event-writing transaction and held it through that transaction's commit (and its NOTIFY), so every
 * write that recorded an event committed one at a time: about 220 replies a second on two cores, however
 * many connections. Now a writer only inserts its row (with `seq`, `id` NULL) and takes no shared
 * lock at all. `events_number_committed()` gives ids to the events whose transactions have committed,
 * in `seq` order, in its own short transaction that holds the counter's row lock: runs are serialised,
 * each one's ids are above every earlier run's, and they become visible together when it commits. So
 * every id a reader can see still has all smaller ids visible, `id > cursor` never skips, and ids stay
 * gapless. Readers (the feed, webhook fan-out) number what has committed before they read, so a writer
 * reads its own events at once; a background loop in each server numbers the rest and NOTIFYs once
 * per run, which wakes long-polling readers on every instance.
 */
export class EventSequencer1765000000000 implements MigrationInterface {
  name = 'EventSequencer1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER events_assign_id ON events;
      DROP FUNCTION events_assign_id();
      CREATE INDEX events_unnumbered_idx ON events (seq) WHERE id IS NULL;

      CREATE FUNCTION events_number_committed(batch integer DEFAULT 10000) RETURNS bigint LANGUAGE plpgsql AS $fn$
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

      SELECT events_number_committed(2147483647);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      SELECT events_number_committed(2147483647);
      DROP FUNCTION events_number_committed(integer);
      DROP INDEX events_unnumbered_idx;
      CREATE FUNCTION events_assign_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        next_id bigint;
      BEGIN
        UPDATE event_sequence SET last_id = last_id + 1 RETURNING last_id INTO next_id;
        UPDATE events SET id = next_id WHERE seq = NEW.seq;
        PERFORM pg_notify('libredesk_events', next_id::text);
        RETURN NULL;
      END
      $fn$;
      CREATE CONSTRAINT TRIGGER events_assign_id AFTER INSERT ON events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_assign_id();
    `);
  }
}
