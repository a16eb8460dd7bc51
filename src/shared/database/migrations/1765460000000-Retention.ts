import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: finished webhook deliveries are pruned oldest first by when they finished, so that
 * lookup gets an index. Events need none: they are pruned as a prefix of the log, read through the
 * unique index on `id`.
 */
export class Retention1765460000000 implements MigrationInterface {
  name = 'Retention1765460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX webhook_deliveries_completed_idx ON webhook_deliveries (completed_at) WHERE status <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_deliveries_completed_idx`);
  }
}
