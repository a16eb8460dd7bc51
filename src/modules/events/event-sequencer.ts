import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import { EventsRepository } from './events.repository.js';

/**
 * Gives ids to committed events every `EVENT_SEQUENCER_INTERVAL_MS` in each server process. A run
 * that numbers anything NOTIFYs `libredesk_events`, which wakes long-polling readers on every
 * instance; when nothing is pending a run is one index probe. Several instances may run it at once:
 * runs are serialised in the database (see migration EventSequencer1765000000000).
 */
@Injectable()
export class EventSequencer extends BackgroundLoop {
  protected readonly logger = new Logger(EventSequencer.name);

  constructor(
    private readonly repo: EventsRepository,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  protected enabled(): boolean {
    return true;
  }

  protected errorDelayMs(): number {
    return Math.max(this.config.EVENT_SEQUENCER_INTERVAL_MS, 1000);
  }

  protected async tick(): Promise<number> {
    await this.repo.numberCommitted();
    return this.config.EVENT_SEQUENCER_INTERVAL_MS;
  }
}
