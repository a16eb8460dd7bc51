import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import { RETENTION_BATCH, RETENTION_BATCH_PAUSE_MS, retentionCutoff } from '../../shared/worker/retention.js';
import { DeliveriesRepository } from './deliveries.repository.js';

/**
 * Prunes webhook deliveries that finished (succeeded or finally failed) more than
 * `WEBHOOK_DELIVERY_RETENTION_DAYS` ago, in small batches that skip rows a worker holds. Pending
 * deliveries are kept; they go with their event when the event log is pruned.
 */
@Injectable()
export class DeliveryRetention extends BackgroundLoop {
  protected readonly logger = new Logger(DeliveryRetention.name);

  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  /** One batch; resolves to how many deliveries were deleted. */
  pruneBatch(now = Date.now()): Promise<number> {
    return this.repo.pruneFinishedBefore(retentionCutoff(this.config.WEBHOOK_DELIVERY_RETENTION_DAYS, now), RETENTION_BATCH);
  }

  protected enabled(): boolean {
    return this.config.WEBHOOK_DELIVERY_RETENTION_DAYS > 0;
  }

  protected errorDelayMs(): number {
    return this.config.RETENTION_INTERVAL_MS;
  }

  protected async tick(): Promise<number> {
    return (await this.pruneBatch()) >= RETENTION_BATCH ? RETENTION_BATCH_PAUSE_MS : this.config.RETENTION_INTERVAL_MS;
  }
}
