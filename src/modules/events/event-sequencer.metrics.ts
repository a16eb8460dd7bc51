import { Injectable } from '@nestjs/common';
import { MetricsService, sharedSnapshot } from '../../shared/metrics/metrics.service.js';
import { EventsRepository } from './events.repository.js';

/** How far the event sequencer is behind, read when /metrics is scraped. */
@Injectable()
export class EventSequencerMetrics {
  constructor(metrics: MetricsService, repo: EventsRepository) {
    const lag = sharedSnapshot(() => repo.sequencerLag());
    metrics.gauge({
      name: 'libredesk_event_sequencer_unnumbered',
      help: 'Committed events still waiting for their feed id',
      async collect() {
        this.set((await lag()).unnumbered);
      },
    });
    metrics.gauge({
      name: 'libredesk_event_sequencer_lag_seconds',
      help: 'Age of the oldest committed event still waiting for its feed id (0 when none)',
      async collect() {
        this.set((await lag()).oldest_age_seconds);
      },
    });
  }
}
