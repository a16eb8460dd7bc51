import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tags and roles become manageable over the API (`/tags`, `/roles`).
 *
 * Tag names become unique case-insensitively (`Billing` and `billing` are one tag): tags that differ
 * only in case are merged into the oldest, which keeps its name and takes over the others'
 * conversations. The unique index on `lower(name)` replaces the case-sensitive constraint, so two
 * concurrent creators or renamers cannot both win.
 *
 * The seeded `Admin` and `Agent` roles are marked in `built_in`, so their protection follows the row
 * and not the name: renaming `Agent` keeps it undeletable, and a new role cannot take the name back.
 */
export class TagsRoles1765500000000 implements MigrationInterface {
  name = 'TagsRoles1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO conversation_tags (conversation_id, tag_id, created_at)
        SELECT ct.conversation_id, k.id, ct.created_at
          FROM conversation_tags ct
          JOIN tags t ON t.id = ct.tag_id
          JOIN tags k ON lower(k.name) = lower(t.name) AND k.id < t.id
         WHERE NOT EXISTS (SELECT 1 FROM tags o WHERE lower(o.name) = lower(t.name) AND o.id < k.id)
        ON CONFLICT DO NOTHING;
      DELETE FROM tags t USING tags k WHERE lower(k.name) = lower(t.name) AND k.id < t.id;
      ALTER TABLE tags DROP CONSTRAINT tags_name_key;
      CREATE UNIQUE INDEX tags_name_lower_key ON tags (lower(name));

      ALTER TABLE roles ADD COLUMN built_in text;
      ALTER TABLE roles ADD CONSTRAINT roles_built_in_check CHECK (built_in IN ('admin', 'agent'));
      ALTER TABLE roles ADD CONSTRAINT roles_built_in_key UNIQUE (built_in);
      UPDATE roles SET built_in = 'admin' WHERE name = 'Admin';
      UPDATE roles SET built_in = 'agent' WHERE name = 'Agent';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE roles DROP COLUMN built_in;
      DROP INDEX tags_name_lower_key;
      ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE (name);
    `);
  }
}
