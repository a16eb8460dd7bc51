import { Injectable } from '@nestjs/common';
import { MetricsService, sharedSnapshot } from '../../shared/metrics/metrics.service.js';
import { DeliveriesRepository } from './deliveries.repository.js';

/** The webhook delivery backlog, read when /metrics is scraped. */
@Injectable()
export class DeliveriesMetrics {
  constructor(metrics: MetricsService, repo: DeliveriesRepository) {
    const backlog = sharedSnapshot(() => repo.backlog());
    metrics.gauge({
      name: 'libredesk_webhook_deliveries_pending',
      help: 'Webhook deliveries not yet made (including those waiting for a retry)',
      async collect() {
        this.set((await backlog()).pending);
      },
    });
    metrics.gauge({
      name: 'libredesk_webhook_deliveries_failed',
      help: 'Webhook deliveries that finally failed (kept until retention prunes them)',
      async collect() {
        this.set((await backlog()).failed);
      },
    });
  }
}
