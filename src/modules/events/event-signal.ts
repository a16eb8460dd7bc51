import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DATABASE_HANDLE } from '../../shared/database/database.module.js';
import type { DatabaseHandle } from '../../shared/database/data-source-options.js';

export const EVENTS_CHANNEL = 'libredesk_events';

/** How often to look again when nothing can tell us: PGlite has no second connection to LISTEN on. */
const EMBEDDED_POLL_MS = 250;
/** On PostgreSQL a lost notification (listener reconnecting) costs at most this much latency. */
const LISTEN_FALLBACK_MS = 5_000;
const RECONNECT_DELAY_MS = 2_000;

/**
 * Tells waiters (long-polling feed readers, the webhook worker) that events may have been committed.
 * On PostgreSQL one LISTEN connection per process carries the NOTIFY a numbering run sends when it
 * gives ids to committed events (EventSequencer); on PGlite a wait is a short sleep, after which the
 * caller looks again. A wait ends early at shutdown.
 */
@Injectable()
export class EventSignal implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EventSignal.name);
  private readonly waiters = new Set<() => void>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryAfter = 0;
  private stopped = false;

  constructor(@Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle) {}

  get closing(): boolean {
    return this.stopped;
  }

  /** Resolves when new events may be visible, or after at most `maxMs`. */
  wait(maxMs: number, embeddedPollMs = EMBEDDED_POLL_MS): Promise<void> {
    if (this.stopped || maxMs <= 0) return Promise.resolve();
    const listening = this.listen();
    const ms = Math.min(maxMs, listening ? LISTEN_FALLBACK_MS : embeddedPollMs);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.wakeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Starts (or restarts) the LISTEN connection when there is a server to listen on; true when one is up. */
  private listen(): boolean {
    const url = this.handle.kind === 'postgres' ? (this.handle.options as { url?: string }).url : undefined;
    if (!url) return false;
    if (this.client) return true;
    if (!this.connecting && Date.now() >= this.retryAfter) this.connecting = this.connect(url).finally(() => (this.connecting = undefined));
    return false;
  }

  private async connect(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    const drop = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.retryAfter = Date.now() + RECONNECT_DELAY_MS;
      if (err && !this.stopped) this.logger.warn(`Event notification listener lost (${err.message}); polling until it reconnects`);
      client.end().catch(() => undefined);
    };
    client.on('notification', () => this.wakeAll());
    client.on('error', (err) => drop(err));
    client.on('end', () => drop());
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      this.retryAfter = Date.now() + RECONNECT_DELAY_MS;
      this.logger.warn(`Cannot LISTEN for events (${(err as Error).message}); polling instead`);
      await client.end().catch(() => undefined);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }
}
