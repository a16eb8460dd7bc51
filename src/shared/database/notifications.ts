import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { DatabaseHandle } from './data-source-options.js';
import { DATABASE_HANDLE } from './database.tokens.js';

type Handler = (payload: string) => void;

interface Subscription {
  channel: string;
  onNotify: Handler;
  /** Called whenever notifications may have been missed (listener lost or re-established). */
  onReset: () => void;
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * Delivers PostgreSQL NOTIFY to in-process subscribers. On a server, one dedicated connection LISTENs
 * on every subscribed channel and reconnects when lost; subscribers hear `onReset` on loss and on
 * recovery so they can drop state that a missed notification would have invalidated. PGlite delivers
 * notifications in-process, so it is always live.
 */
@Injectable()
export class DatabaseNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private readonly subscriptions = new Set<Subscription>();
  private readonly pgliteUnsubscribers = new Map<Subscription, () => Promise<void>>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private live = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle) {}

  /** True while notifications are being received, so caches that depend on them may be trusted. */
  get isLive(): boolean {
    return this.handle.pglite ? !this.stopped : this.live;
  }

  subscribe(channel: string, onNotify: Handler, onReset: () => void = () => undefined): () => void {
    const sub: Subscription = { channel, onNotify, onReset };
    this.subscriptions.add(sub);
    if (this.handle.pglite) {
      const pending = this.handle.pglite.listen(channel, onNotify);
      this.pgliteUnsubscribers.set(sub, () => pending.then((unsub) => unsub()));
    } else if (this.client && this.live) {
      this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch((err: Error) => this.drop(err));
    } else {
      this.ensureConnected();
    }
    return () => {
      this.subscriptions.delete(sub);
      void this.pgliteUnsubscribers
        .get(sub)?.()
        .catch(() => undefined);
      this.pgliteUnsubscribers.delete(sub);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const unsubscribe of this.pgliteUnsubscribers.values()) await unsubscribe().catch(() => undefined);
    this.pgliteUnsubscribers.clear();
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.live = false;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): void {
    if (this.stopped || this.client || this.connecting || !this.handle.url) return;
    this.connecting = this.connect(this.handle.url).finally(() => (this.connecting = undefined));
  }

  private async connect(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
    client.on('notification', (msg) => {
      for (const sub of this.subscriptions) if (sub.channel === msg.channel) sub.onNotify(msg.payload ?? '');
    });
    client.on('error', (err) => this.drop(err, client));
    client.on('end', () => this.drop(undefined, client));
    try {
      await client.connect();
      for (const channel of new Set([...this.subscriptions].map((s) => s.channel))) {
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      this.scheduleReconnect(err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.live = true;
    for (const sub of this.subscriptions) sub.onReset();
  }

  private drop(err?: Error, client = this.client): void {
    if (!client || this.client !== client) return;
    this.client = undefined;
    this.live = false;
    for (const sub of this.subscriptions) sub.onReset();
    client.end().catch(() => undefined);
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(err?: Error): void {
    if (this.stopped) return;
    if (err) this.logger.warn(`Database notifications unavailable (${err.message}); retrying`);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.ensureConnected(), RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}
