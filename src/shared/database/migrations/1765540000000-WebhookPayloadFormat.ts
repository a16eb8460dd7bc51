import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook chooses its body: `standard` (Standard Webhooks, what every webhook got so far) or
 * `libredesk` (upstream Libredesk's `{event, payload, timestamp}` with its event names and shapes).
 */
export class WebhookPayloadFormat1765540000000 implements MigrationInterface {
  name = 'WebhookPayloadFormat1765540000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE webhooks ADD COLUMN payload_format text NOT NULL DEFAULT 'standard'
         CONSTRAINT webhooks_payload_format_check CHECK (payload_format IN ('standard', 'libredesk'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhooks DROP COLUMN payload_format`);
  }
}
