import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The common custom sorts of the conversation lists (`order_by`): created_at either way (NOT NULL, so
 * one index scanned forwards or backwards), and waiting_since and next_sla_deadline_at ascending with
 * NULLs last (the index's own order), and priority_id descending with NULLs last (the UI's "priority"
 * sort), each with the id as tie-breaker as the lists order and page by it.
 */
export class ListSortIndexes1765520000000 implements MigrationInterface {
  name = 'ListSortIndexes1765520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX conversations_created_idx ON conversations (created_at, id);
      CREATE INDEX conversations_waiting_idx ON conversations (waiting_since, id);
      CREATE INDEX conversations_sla_deadline_idx ON conversations (next_sla_deadline_at, id);
      CREATE INDEX conversations_priority_idx ON conversations (priority_id DESC NULLS LAST, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP INDEX conversations_priority_idx; DROP INDEX conversations_sla_deadline_idx; DROP INDEX conversations_waiting_idx; DROP INDEX conversations_created_idx;`,
    );
  }
}
