import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { WebhookEntity } from './entities/webhook.entity.js';

export type WebhookChanges = Partial<Pick<WebhookEntity, 'name' | 'url' | 'events' | 'secret' | 'enabled' | 'payloadFormat'>>;

/** Reads and writes of `webhooks`; the worker's failure streak as named statements. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>) {}

  list(): Promise<WebhookEntity[]> {
    return this.webhooks.find({ order: { id: 'ASC' } });
  }

  /** Upstream's compact list: ids and names, by name. */
  compact(): Promise<Array<Pick<WebhookEntity, 'id' | 'name'>>> {
    return this.webhooks.find({ select: { id: true, name: true }, order: { name: 'ASC', id: 'ASC' } });
  }

  /**
   * Flips `enabled` in one statement (two toggles at once give two flips, never a lost one), with the
   * same side effects as setting it: the reason is cleared, and enabling ends the failure streak.
   */
  async toggle(id: number): Promise<WebhookEntity | null> {
    return this.webhooks.manager.transaction(async (m) => {
      const result = await m
        .createQueryBuilder()
        .update(WebhookEntity)
        .set({
          enabled: () => 'NOT enabled',
          disabledReason: null,
          consecutiveFailures: () => 'CASE WHEN enabled THEN consecutive_failures ELSE 0 END',
        })
        .where('id = :id', { id })
        .execute();
      return result.affected ? m.findOneBy(WebhookEntity, { id }) : null;
    });
  }

  findById(id: number): Promise<WebhookEntity | null> {
    return this.webhooks.findOneBy({ id });
  }

  /** `fanoutCursor`: the newest event id now, so the webhook receives what commits later, not the history. */
  async insert(values: Required<WebhookChanges>, fanoutCursor: number): Promise<WebhookEntity> {
    const webhook = this.webhooks.create({ ...values, disabledReason: null, fanoutCursor: String(fanoutCursor) });
    return this.webhooks.save(webhook, { transaction: false });
  }

  /**
   * Changes the given columns. Enabling a webhook clears its failure streak and reason; events recorded
   * while it was disabled are then delivered, since its fan-out cursor did not move meanwhile.
   */
  async update(id: number, values: WebhookChanges): Promise<WebhookEntity | null> {
    const set: QueryDeepPartialEntity<WebhookEntity> = {
      name: values.name,
      url: values.url,
      events: values.events,
      secret: values.secret,
      enabled: values.enabled,
      payloadFormat: values.payloadFormat,
    };
    for (const key of Object.keys(set) as Array<keyof typeof set>) if (set[key] === undefined) delete set[key];
    if (values.enabled !== undefined) set.disabledReason = null;
    if (values.enabled === true) set.consecutiveFailures = () => 'CASE WHEN enabled THEN consecutive_failures ELSE 0 END';
    return this.webhooks.manager.transaction(async (m) => {
      const result = await m.createQueryBuilder().update(WebhookEntity).set(set).where('id = :id', { id }).execute();
      return result.affected ? m.findOneBy(WebhookEntity, { id }) : null;
    });
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.webhooks.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Counts a finally failed delivery; disables the webhook once `threshold` fail in a row. True when it just got disabled. */
  async recordFinalFailure(m: EntityManager, id: number, threshold: number, lastError: string): Promise<boolean> {
    const [rows] = await m.query<[Array<{ disabled: boolean }>, number]>(
      `UPDATE webhooks w
          SET consecutive_failures = w.consecutive_failures + 1,
              enabled = w.enabled AND w.consecutive_failures + 1 < $2,
              disabled_reason = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2
                                     THEN format('Disabled after %s deliveries in a row failed; last error: %s', w.consecutive_failures + 1, $3::text)
                                     ELSE w.disabled_reason END,
              updated_at = now()
        WHERE w.id = $1
        RETURNING NOT w.enabled AND w.consecutive_failures = $2 AS disabled`,
      [id, threshold, lastError.slice(0, 500)],
    );
    return rows[0]?.disabled ?? false;
  }

  /** A success ends the failure streak; `updated_at` stays (the webhook's settings did not change). */
  async resetFailureStreak(m: EntityManager, id: number): Promise<void> {
    await m.query(`UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`, [id]);
  }
}
