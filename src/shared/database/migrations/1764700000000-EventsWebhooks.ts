import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only event log, webhooks and their deliveries.
 *
 * Event ids are assigned in COMMIT order, not insert order. A plain bigserial is handed out when the
 * row is inserted, so under concurrency id 11 can commit before id 10; a reader that already moved its
 * cursor past 11 would never see 10. Instead a row is inserted with only its internal `seq`, and a
 * deferred constraint trigger gives it its public `id` from a one-row counter at commit time. The
 * counter's row lock is held from that moment until the commit completes, so a transaction that takes
 * the next id commits strictly after the one before it: every id a reader can see has all smaller ids
 * visible too, and `id > cursor` never skips (a rollback returns its ids too, so ids are gapless). The
 * lock is the last one a transaction takes and is held only for its commit, so it cannot deadlock
 * with the caller's row locks; the cost is that event-writing commits are serialized, which a helpdesk's
 * write rate is far from. (A safety window would still miss long transactions; an xmin horizon would
 * order the feed by transaction id instead of event id.)
 */
export class EventsWebhooks1764700000000 implements MigrationInterface {
  name = 'EventsWebhooks1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_sequence (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_id bigint NOT NULL
      );
      INSERT INTO event_sequence (singleton, last_id) VALUES (true, 0);

      CREATE TABLE events (
        seq bigserial PRIMARY KEY,
        id bigint UNIQUE,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        conversation_id integer,
        assigned_user_id integer,
        assigned_team_id integer
      );

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

      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

      CREATE TABLE webhooks (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        consecutive_failures integer NOT NULL DEFAULT 0,
        fanout_cursor bigint NOT NULL DEFAULT 0
      );

      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        webhook_id integer NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        event_type text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        lease_token uuid,
        response_status integer,
        last_error text,
        last_attempt_at timestamptz,
        completed_at timestamptz,
        UNIQUE (webhook_id, event_id)
      );
      CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (webhook_id, event_id) WHERE status = 'pending';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE IF EXISTS webhook_deliveries;
      DROP TABLE IF EXISTS webhooks;
      DROP TABLE IF EXISTS events;
      DROP FUNCTION IF EXISTS events_assign_id();
      DROP FUNCTION IF EXISTS events_append_only();
      DROP TABLE IF EXISTS event_sequence;
    `);
  }
}
