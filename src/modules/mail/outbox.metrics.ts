import { Injectable } from '@nestjs/common';
import { MetricsService, sharedSnapshot } from '../../shared/metrics/metrics.service.js';
import { OutboxRepository } from './outbox.repository.js';

/** The email outbox backlog, read when /metrics is scraped. */
@Injectable()
export class OutboxMetrics {
  constructor(metrics: MetricsService, repo: OutboxRepository) {
    const backlog = sharedSnapshot(() => repo.backlog());
    metrics.gauge({
      name: 'libredesk_outbox_pending',
      help: 'Emails queued in the outbox and not yet sent',
      async collect() {
        this.set((await backlog()).pending);
      },
    });
    metrics.gauge({
      name: 'libredesk_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest email still queued in the outbox (0 when none)',
      async collect() {
        this.set((await backlog()).oldest_age_seconds);
      },
    });
  }
}
