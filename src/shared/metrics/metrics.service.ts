import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, type GaugeConfiguration, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** One statement shared by the gauges that read it during one scrape (the registry collects them concurrently). */
export function sharedSnapshot<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => (inFlight ??= read().finally(() => (inFlight = undefined)));
}

/**
 * The application's Prometheus registry: Node's process metrics, the HTTP request histogram, the
 * database pool, the counters the HTTP layer feeds, and the gauges modules register for their own
 * backlogs (collected when scraped). One registry per application, so several apps in one process
 * (tests) never share numbers.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly rateLimitRefusals = new Counter({
    name: 'libredesk_rate_limit_refusals_total',
    help: 'Requests refused with 429 by the rate limits',
    registers: [this.registry],
  });
  private readonly idempotentReplays = new Counter({
    name: 'libredesk_idempotent_replays_total',
    help: 'Requests answered from a stored response (Idempotency-Key replays)',
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () => (dataSource.driver as unknown as { master?: Pool }).master;
    const poolGauge = (name: string, help: string, read: (p: Pool) => number) =>
      this.gauge({
        name,
        help,
        collect() {
          const p = pool();
          if (p) this.set(read(p));
        },
      });
    poolGauge('libredesk_db_pool_size', 'Open connections in the database pool', (p) => p.totalCount);
    poolGauge('libredesk_db_pool_idle', 'Idle connections in the database pool', (p) => p.idleCount);
    poolGauge('libredesk_db_pool_waiting', 'Queries waiting for a database connection', (p) => p.waitingCount);
    poolGauge('libredesk_db_pool_max', 'Largest size the database pool may grow to', (p) => p.options.max ?? 0);
  }

  /** A gauge in this registry; `collect` runs at scrape time. */
  gauge<T extends string>(config: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
    return new Gauge<T>({ ...config, registers: [this.registry] });
  }

  observeResponse(response: { method: string; route: string; status: number; seconds: number; replayed: boolean }): void {
    this.requestDuration.observe({ method: response.method, route: response.route, status: String(response.status) }, response.seconds);
    if (response.status === 429) this.rateLimitRefusals.inc();
    if (response.replayed) this.idempotentReplays.inc();
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}
