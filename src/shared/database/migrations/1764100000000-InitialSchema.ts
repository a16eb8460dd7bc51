import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ADMIN_ROLE, ADMIN_ROLE_PERMISSIONS, AGENT_ROLE, AGENT_ROLE_PERMISSIONS, SYSTEM_USER_EMAIL } from '../../auth/permissions.js';

/**
 * The whole Libredesk data model (reference §9), so every domain module starts from one schema.
 * Enumerations are text columns with CHECK constraints: they evolve with a plain ALTER and need no
 * enum types in the ORM.
 */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roles (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        permissions text[] NOT NULL DEFAULT '{}'
      );

      CREATE TABLE users (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL CHECK (type IN ('agent', 'contact', 'visitor', 'ai_assistant')),
        deleted_at timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        email text CHECK (length(email) <= 320),
        first_name text NOT NULL CHECK (length(first_name) <= 140),
        last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 140),
        phone_number_country_code text,
        phone_number text,
        country text,
        password text,
        avatar_url text,
        custom_attributes jsonb NOT NULL DEFAULT '{}',
        external_user_id text,
        availability_status text NOT NULL DEFAULT 'offline'
          CHECK (availability_status IN ('online', 'away', 'away_manual', 'offline', 'away_and_reassigning')),
        last_active_at timestamptz,
        last_login_at timestamptz,
        api_key text,
        api_secret text,
        api_key_last_used_at timestamptz
      );
      CREATE UNIQUE INDEX users_agent_email_key ON users (lower(email)) WHERE type = 'agent' AND deleted_at IS NULL;
      CREATE UNIQUE INDEX users_contact_email_key ON users (lower(email))
        WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NULL;
      CREATE UNIQUE INDEX users_external_user_id_key ON users (external_user_id)
        WHERE type IN ('contact', 'visitor') AND deleted_at IS NULL AND external_user_id IS NOT NULL;
      CREATE UNIQUE INDEX users_api_key_key ON users (api_key) WHERE api_key IS NOT NULL;
      CREATE INDEX users_type_updated_idx ON users (type, updated_at DESC);

      CREATE TABLE user_roles (
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role_id integer NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role_id)
      );
      CREATE INDEX user_roles_role_idx ON user_roles (role_id);

      CREATE TABLE teams (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE CHECK (length(name) <= 140),
        emoji text CHECK (length(emoji) <= 50),
        conversation_assignment_type text NOT NULL CHECK (conversation_assignment_type IN ('Round robin', 'Manual')),
        max_auto_assigned_conversations integer NOT NULL DEFAULT 0,
        business_hours_id integer,
        sla_policy_id integer,
        timezone text NOT NULL DEFAULT ''
      );

      CREATE TABLE team_members (
        team_id integer NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        emoji text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      );
      CREATE INDEX team_members_user_idx ON team_members (user_id);

      CREATE TABLE inboxes (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) <= 140),
        channel text NOT NULL CHECK (channel IN ('email', 'livechat')),
        enabled boolean NOT NULL DEFAULT true,
        csat_enabled boolean NOT NULL DEFAULT false,
        config jsonb NOT NULL DEFAULT '{}',
        "from" text NOT NULL DEFAULT '',
        deleted_at timestamptz
      );

      CREATE TABLE conversation_statuses (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE,
        category text NOT NULL DEFAULT 'open' CHECK (category IN ('open', 'waiting', 'resolved'))
      );

      CREATE TABLE conversation_priorities (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE
      );

      CREATE SEQUENCE conversation_reference_number_sequence START 100;

      CREATE TABLE conversations (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        reference_number text NOT NULL UNIQUE DEFAULT nextval('conversation_reference_number_sequence')::text,
        contact_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        assigned_user_id integer REFERENCES users (id) ON DELETE SET NULL,
        assigned_team_id integer REFERENCES teams (id) ON DELETE SET NULL,
        inbox_id integer NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
        status_id integer NOT NULL REFERENCES conversation_statuses (id) ON DELETE RESTRICT,
        priority_id integer REFERENCES conversation_priorities (id) ON DELETE RESTRICT,
        meta jsonb NOT NULL DEFAULT '{}',
        custom_attributes jsonb NOT NULL DEFAULT '{}',
        subject text NOT NULL DEFAULT '',
        contact_last_seen_at timestamptz,
        first_reply_at timestamptz,
        last_reply_at timestamptz,
        closed_at timestamptz,
        resolved_at timestamptz,
        waiting_since timestamptz,
        snoozed_until timestamptz,
        sla_policy_id integer,
        next_sla_deadline_at timestamptz,
        last_message text NOT NULL DEFAULT '',
        last_message_at timestamptz NOT NULL DEFAULT now(),
        last_message_sender text CHECK (last_message_sender IN ('agent', 'contact')),
        last_message_sender_id integer,
        last_interaction text,
        last_interaction_at timestamptz,
        last_interaction_sender text CHECK (last_interaction_sender IN ('agent', 'contact')),
        last_interaction_sender_id integer
      );
      CREATE INDEX conversations_activity_idx ON conversations (last_message_at DESC, id DESC);
      CREATE INDEX conversations_assigned_user_idx ON conversations (assigned_user_id, last_message_at DESC, id DESC);
      CREATE INDEX conversations_assigned_team_idx ON conversations (assigned_team_id, last_message_at DESC, id DESC);
      CREATE INDEX conversations_contact_idx ON conversations (contact_id, created_at DESC);
      CREATE INDEX conversations_status_idx ON conversations (status_id);
      CREATE INDEX conversations_snoozed_idx ON conversations (snoozed_until) WHERE snoozed_until IS NOT NULL;

      CREATE TABLE conversation_messages (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN ('incoming', 'outgoing', 'activity')),
        status text NOT NULL CHECK (status IN ('received', 'sent', 'failed', 'pending')),
        private boolean NOT NULL DEFAULT false,
        conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        content_type text NOT NULL DEFAULT 'html' CHECK (content_type IN ('text', 'html')),
        content text NOT NULL DEFAULT '',
        text_content text NOT NULL DEFAULT '',
        source_id text,
        sender_id integer REFERENCES users (id) ON DELETE SET NULL,
        sender_type text NOT NULL CHECK (sender_type IN ('agent', 'contact')),
        meta jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, created_at DESC, id DESC);
      CREATE INDEX conversation_messages_pending_idx ON conversation_messages (status) WHERE status IN ('pending', 'failed');

      CREATE TABLE conversation_participants (
        conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, user_id)
      );

      CREATE TABLE conversation_last_seen (
        conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, user_id)
      );

      CREATE TABLE tags (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE CHECK (length(name) <= 140)
      );

      CREATE TABLE conversation_tags (
        conversation_id integer NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        tag_id integer NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, tag_id)
      );
      CREATE INDEX conversation_tags_tag_idx ON conversation_tags (tag_id);

      CREATE TABLE contact_notes (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        contact_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        note text NOT NULL,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE
      );
      CREATE INDEX contact_notes_contact_idx ON contact_notes (contact_id, created_at DESC);

      CREATE TABLE media (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        store text NOT NULL CHECK (store IN ('s3', 'fs')),
        filename text NOT NULL CHECK (length(filename) <= 1000),
        content_type text NOT NULL,
        content_id text NOT NULL DEFAULT '',
        model_id integer,
        model_type text,
        disposition text CHECK (disposition IN ('inline', 'attachment')),
        size integer NOT NULL,
        meta jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX media_model_idx ON media (model_type, model_id);

      CREATE TABLE views (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL CHECK (length(name) <= 140),
        filters jsonb NOT NULL DEFAULT '{}',
        visibility text NOT NULL DEFAULT 'user' CHECK (visibility IN ('all', 'team', 'user')),
        user_id integer REFERENCES users (id) ON DELETE CASCADE,
        team_id integer REFERENCES teams (id) ON DELETE CASCADE,
        CHECK (visibility <> 'user' OR user_id IS NOT NULL),
        CHECK (visibility <> 'team' OR team_id IS NOT NULL)
      );

      CREATE TABLE ai_providers (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL UNIQUE,
        provider text NOT NULL CHECK (provider IN ('openai')),
        config jsonb NOT NULL DEFAULT '{}',
        is_default boolean NOT NULL DEFAULT false
      );

      CREATE TABLE ai_prompts (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        key text NOT NULL UNIQUE,
        title text NOT NULL,
        content text NOT NULL
      );

      CREATE TABLE settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `);

    await q.query(`INSERT INTO roles (name, description, permissions) VALUES ($1, $2, $3), ($4, $5, $6)`, [
      AGENT_ROLE,
      'Role for all agents with limited access.',
      AGENT_ROLE_PERMISSIONS,
      ADMIN_ROLE,
      'Role for users who have complete access to everything.',
      ADMIN_ROLE_PERMISSIONS,
    ]);
    await q.query(`
      INSERT INTO conversation_statuses (name, category) VALUES
        ('Open', 'open'), ('Snoozed', 'waiting'), ('Resolved', 'resolved'), ('Closed', 'resolved');
      INSERT INTO conversation_priorities (name) VALUES ('Low'), ('Medium'), ('High');
      INSERT INTO ai_providers (name, provider, config, is_default) VALUES ('openai', 'openai', '{"api_key": ""}', true);
      INSERT INTO ai_prompts (key, title, content) VALUES
        ('make_friendly', 'Make Friendly', 'Modify the text to make it more friendly and approachable.'),
        ('make_concise', 'Make Concise', 'Simplify the text to make it more concise and to the point.'),
        ('add_empathy', 'Add Empathy', 'Add empathy to the text while retaining the original meaning.'),
        ('adjust_positive_tone', 'Adjust Positive Tone', 'Adjust the tone of the text to make it sound more positive and reassuring.'),
        ('make_professional', 'Make Professional', 'Rephrase the text to make it sound more formal and professional.'),
        ('fix_grammar_spelling', 'Fix Grammar & Spelling', 'Fix the grammar and spelling mistakes in the text without changing its meaning.');
      INSERT INTO inboxes (name, channel, "from") VALUES ('Support', 'email', 'Support <support@localhost>');
    `);
    await q.query(
      `WITH u AS (
         INSERT INTO users (type, email, first_name, last_name, enabled, availability_status)
         VALUES ('agent', $1, 'System', '', true, 'offline') RETURNING id
       )
       INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM u, roles r WHERE r.name = $2`,
      [SYSTEM_USER_EMAIL, ADMIN_ROLE],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE IF EXISTS settings, ai_prompts, ai_providers, views, media, contact_notes, conversation_tags, tags,
        conversation_last_seen, conversation_participants, conversation_messages, conversations,
        conversation_priorities, conversation_statuses, inboxes, team_members, teams, user_roles, users, roles CASCADE;
      DROP SEQUENCE IF EXISTS conversation_reference_number_sequence;
    `);
  }
}
