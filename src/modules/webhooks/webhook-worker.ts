import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import { EventsService } from '../events/events.service.js';
import { type AttemptResult, retryDelayMs } from './delivery-policy.js';
import { type ClaimedDelivery, DeliveriesRepository } from './deliveries.repository.js';
import { webhookBody } from './webhook-body.js';
import { WebhookSecretBox } from './webhook-secret-box.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhooksRepository } from './webhooks.repository.js';

const CLAIM_BATCH = 20;
const FANOUT_BATCH = 500;

/**
 * Delivers webhooks from the event log inside the server process. Each round fans new events out
 * into per-webhook deliveries, then claims due deliveries under a lease and POSTs them. Several
 * instances can run against one database: fan-out skips webhooks another instance holds, and a
 * claim is exclusive until its lease expires. Nothing lives only in memory, so a restart loses nothing.
 */
@Injectable()
export class WebhookWorker extends BackgroundLoop {
  protected readonly logger = new Logger(WebhookWorker.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly deliveries: DeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly secrets: WebhookSecretBox,
    private readonly events: EventsService,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  protected enabled(): boolean {
    return this.config.WEBHOOK_WORKER_ENABLED;
  }

  protected errorDelayMs(): number {
    return this.config.WEBHOOK_POLL_INTERVAL_MS;
  }

  /**
   * After a delivery settles, that webhook's next event is due at once. Otherwise wait for a commit
   * notification (PostgreSQL) or the poll interval, whichever comes first; retries fall due on the interval.
   */
  protected async tick(): Promise<number> {
    if ((await this.runOnce()) > 0) return 0;
    const interval = this.config.WEBHOOK_POLL_INTERVAL_MS;
    if (!this.isStopping) await this.events.waitForEvents(interval, interval).catch(() => undefined);
    return 0;
  }

  /** One fan-out and claim-and-send round; returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    await this.events.numberCommitted();
    await this.deliveries.fanOut(FANOUT_BATCH);
    const claimed = await this.deliveries.claim(CLAIM_BATCH, this.leaseSeconds(), randomUUID());
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length;
  }

  private leaseSeconds(): number {
    return Math.ceil(this.config.WEBHOOK_TIMEOUT_MS / 1000) + 30;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    try {
      await this.settle(d, await this.attempt(d));
    } catch (err) {
      // Recording the outcome failed (the database went away): the lease expires and the delivery is retried.
      this.logger.error(`Webhook ${d.webhookId}, event ${d.eventId}: ${describe(err)}`);
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<AttemptResult> {
    if (d.attempts > this.config.WEBHOOK_MAX_ATTEMPTS) {
      return { ok: false, status: null, error: 'Delivery was interrupted repeatedly (worker lease expired)', retryable: false };
    }
    let secret: string;
    try {
      secret = this.secrets.open(d.secret);
    } catch (err) {
      return { ok: false, status: null, error: describe(err), retryable: false };
    }
    const body = webhookBody(d.payloadFormat, { id: d.eventId, type: d.type, createdAt: new Date(d.createdAt), payload: d.payload });
    return this.sender.send({ url: d.url, secret, id: d.eventId, body, format: d.payloadFormat });
  }

  private async settle(d: ClaimedDelivery, result: AttemptResult): Promise<void> {
    const retry = !result.ok && result.retryable && d.attempts < this.config.WEBHOOK_MAX_ATTEMPTS;
    await this.dataSource.transaction(async (m) => {
      if (result.ok) {
        if (await this.deliveries.settle(m, d, { status: 'succeeded', responseStatus: result.status, error: null })) {
          await this.webhooks.resetFailureStreak(m, d.webhookId);
        }
        return;
      }
      if (retry) {
        const delay = retryDelayMs(d.attempts, this.config.WEBHOOK_RETRY_BASE_MS, this.config.WEBHOOK_RETRY_MAX_MS, result.retryAfterMs);
        await this.deliveries.settle(m, d, { status: 'pending', responseStatus: result.status, error: result.error, retryInMs: delay });
        return;
      }
      if (!(await this.deliveries.settle(m, d, { status: 'failed', responseStatus: result.status, error: result.error }))) return;
      const threshold = this.config.WEBHOOK_DISABLE_AFTER_FAILURES;
      if (await this.webhooks.recordFinalFailure(m, d.webhookId, threshold, result.error)) {
        this.logger.warn(`Webhook ${d.webhookId} disabled after ${threshold} deliveries in a row failed (last: ${result.error})`);
      }
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
