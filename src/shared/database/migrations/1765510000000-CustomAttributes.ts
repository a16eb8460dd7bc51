import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom attribute definitions (Libredesk's `custom_attribute_definitions`): the keys a conversation's
 * or a contact's `custom_attributes` may hold, with their type. The values stay in the existing jsonb
 * columns; deleting a definition leaves stored values in place, as upstream does.
 */
export class CustomAttributes1765510000000 implements MigrationInterface {
  name = 'CustomAttributes1765510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE custom_attribute_definitions (
        id serial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL CONSTRAINT custom_attribute_definitions_name_check CHECK (length(name) <= 140),
        description text NOT NULL DEFAULT '' CONSTRAINT custom_attribute_definitions_description_check CHECK (length(description) <= 300),
        applies_to text NOT NULL CONSTRAINT custom_attribute_definitions_applies_to_check CHECK (applies_to IN ('contact', 'conversation')),
        key text NOT NULL CONSTRAINT custom_attribute_definitions_key_check CHECK (key ~ '^[a-z0-9_]{3,140}$'),
        data_type text NOT NULL
          CONSTRAINT custom_attribute_definitions_data_type_check CHECK (data_type IN ('text', 'number', 'checkbox', 'date', 'link', 'list')),
        "values" text[] NOT NULL DEFAULT '{}',
        regex text NOT NULL DEFAULT '' CONSTRAINT custom_attribute_definitions_regex_check CHECK (length(regex) <= 1000),
        regex_hint text NOT NULL DEFAULT '' CONSTRAINT custom_attribute_definitions_regex_hint_check CHECK (length(regex_hint) <= 1000),
        CONSTRAINT custom_attribute_definitions_key_applies_to_key UNIQUE (key, applies_to)
      )
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE custom_attribute_definitions`);
  }
}
