import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import { RETENTION_BATCH, RETENTION_BATCH_PAUSE_MS, retentionCutoff } from '../../shared/worker/retention.js';
import { EventsRepository } from './events.repository.js';

/**
 * Prunes events older than `EVENT_RETENTION_DAYS`, oldest first, in small batches (see
 * EventsRepository.prunePrefixBefore); a feed cursor behind what remains then answers 410. Every
 * instance may run it: batches skip rows another holds.
 */
@Injectable()
export class EventRetention extends BackgroundLoop {
  protected readonly logger = new Logger(EventRetention.name);

  constructor(
    private readonly repo: EventsRepository,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  /** One batch; resolves to how many events were deleted. */
  pruneBatch(now = Date.now()): Promise<number> {
    return this.repo.prunePrefixBefore(retentionCutoff(this.config.EVENT_RETENTION_DAYS, now), RETENTION_BATCH);
  }

  protected enabled(): boolean {
    return this.config.EVENT_RETENTION_DAYS > 0;
  }

  protected errorDelayMs(): number {
    return this.config.RETENTION_INTERVAL_MS;
  }

  protected async tick(): Promise<number> {
    return (await this.pruneBatch()) >= RETENTION_BATCH ? RETENTION_BATCH_PAUSE_MS : this.config.RETENTION_INTERVAL_MS;
  }
}
