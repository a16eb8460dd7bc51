import { type BeforeApplicationShutdown, Injectable, type OnModuleInit } from '@nestjs/common';
import { DatabaseNotifications } from '../../shared/database/notifications.js';

export const EVENTS_CHANNEL = 'libredesk_events';

/** How often to look again while notifications are not being received (the listener is reconnecting). */
const NOT_LIVE_POLL_MS = 250;
/** A notification lost in a reconnect costs at most this much latency. */
const LIVE_FALLBACK_MS = 5_000;

/**
 * Tells waiters (long-polling feed readers, the webhook worker) that events may have been committed:
 * a numbering run (EventSequencer) NOTIFYs `libredesk_events`, which the process's one notification
 * listener (DatabaseNotifications: a LISTEN connection on PostgreSQL, in-process on PGlite) hands
 * here. A wait ends early at shutdown.
 */
@Injectable()
export class EventSignal implements OnModuleInit, BeforeApplicationShutdown {
  private readonly waiters = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly notifications: DatabaseNotifications) {}

  get closing(): boolean {
    return this.stopped;
  }

  onModuleInit(): void {
    // A reset (listener lost or back) may have swallowed a notification: waiters look again.
    this.unsubscribe = this.notifications.subscribe(
      EVENTS_CHANNEL,
      () => this.wakeAll(),
      () => this.wakeAll(),
    );
  }

  /** Resolves when new events may be visible, or after at most `maxMs`. */
  wait(maxMs: number, notLivePollMs = NOT_LIVE_POLL_MS): Promise<void> {
    if (this.stopped || maxMs <= 0) return Promise.resolve();
    const ms = Math.min(maxMs, this.notifications.isLive ? LIVE_FALLBACK_MS : notLivePollMs);
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
    this.unsubscribe?.();
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
