import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConversationEvents } from '../conversation-events.js';
import { ConversationsRepository } from '../conversations.repository.js';
import { DefaultStatuses } from '../default-statuses.service.js';

/** How often due snoozes are looked for; a snooze ends at most this late. */
export const SNOOZE_WAKE_INTERVAL_MS = 15_000;

/**
 * Returns snoozed conversations to Open once `snoozed_until` has passed. Runs in every server
 * process; the wake-up is one idempotent UPDATE, so several instances never conflict.
 */
@Injectable()
export class SnoozeWaker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SnoozeWaker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly repo: ConversationsRepository,
    private readonly statuses: DefaultStatuses,
    private readonly events: ConversationEvents,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.wakeDue().catch((err: Error) => this.logger.warn(`Waking snoozed conversations failed: ${err.message}`)),
      SNOOZE_WAKE_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Wakes every due conversation now; returns how many. Overlapping calls share one run. */
  wakeDue(): Promise<number> {
    this.running ??= this.wake().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async wake(): Promise<number> {
    const [open, snoozed] = [await this.statuses.get('Open'), await this.statuses.get('Snoozed')];
    const woken = await this.dataSource.transaction(async (m) => {
      const changed = await this.repo.wakeDueSnoozes(m, open.id, snoozed.id);
      for (const c of changed) {
        await this.events.statusChanged(m, c, snoozed.name, open.name, null);
      }
      return changed;
    });
    if (woken.length) this.logger.log(`Reopened ${woken.length} snoozed conversation(s)`);
    return woken.length;
  }
}
