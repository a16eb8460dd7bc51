import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DATABASE_HANDLE } from '../../shared/database/database.tokens.js';
import type { DatabaseHandle } from '../../shared/database/data-source-options.js';
import { DatabaseNotifications } from '../../shared/database/notifications.js';

export const EVENTS_CHANNEL = 'libredesk_events';

/** How often to look again when nothing can tell us: PGlite has no second connection to LISTEN on. */
const EMBEDDED_POLL_MS = 250;
/** On PostgreSQL a lost notification (listener reconnecting) costs at most this much latency. */
const LISTEN_FALLBACK_MS = 5_000;

/**
 * Tells waiters (long-polling feed readers, the webhook worker) that events may have been committed.
 * On PostgreSQL the process's notification listener carries the NOTIFY a numbering run sends when it
 * gives ids to committed events (EventSequencer); on PGlite, or while the listener is down, a wait is a
 * short sleep, after which the caller looks again. A wait ends early at shutdown.
 */
@Injectable()
export class EventSignal implements OnModuleInit, BeforeApplicationShutdown {
  private readonly waiters = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly notifications: DatabaseNotifications,
    @Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle,
  ) {}

  get closing(): boolean {
    return this.stopped;
  }

  onModuleInit(): void {
    // A lost or re-established listener may have missed a notification: waiters look again.
    this.unsubscribe = this.notifications.subscribe(
      EVENTS_CHANNEL,
      () => this.wakeAll(),
      () => this.wakeAll(),
    );
  }

  /** Resolves when new events may be visible, or after at most `maxMs`. */
  wait(maxMs: number, embeddedPollMs = EMBEDDED_POLL_MS): Promise<void> {
    if (this.stopped || maxMs <= 0) return Promise.resolve();
    const listening = this.handle.kind === 'postgres' && this.notifications.isLive;
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
    this.unsubscribe?.();
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
