import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../shared/config/app-config.js';
import { BackgroundLoop } from '../../shared/worker/background-loop.js';
import type { ImapSettings } from '../inboxes/imap-settings.js';
import { parseMailbox } from '../inboxes/inboxes.mapper.js';
import { InboxesService } from '../inboxes/inboxes.service.js';
import { InboundImporter } from './inbound-importer.service.js';
import { InboundRepository } from './inbound.repository.js';
import { toImapStatus } from './inbound.mapper.js';
import { describe, ImapSession } from './imap-session.js';

const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 5 * 60_000;

interface Running {
  session: ImapSession | undefined;
  done: Promise<void>;
  stop: boolean;
}

/**
 * Receives email for every enabled inbox with IMAP settings. Each round it looks for such inboxes and
 * starts a session for those whose lease it can take (one process per inbox across instances);
 * a session keeps its lease while connected. Connection and login failures are recorded as the
 * inbox's `imap_status` and retried with exponential backoff.
 */
@Injectable()
export class ImapReceiver extends BackgroundLoop implements OnModuleInit {
  protected readonly logger = new Logger(ImapReceiver.name);
  private readonly owner = randomUUID();
  private readonly running = new Map<number, Running>();
  private readonly failures = new Map<number, { count: number; retryAt: number }>();

  constructor(
    private readonly repo: InboundRepository,
    private readonly importer: InboundImporter,
    private readonly inboxes: InboxesService,
    private readonly config: AppConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost);
  }

  onModuleInit(): void {
    this.inboxes.registerImapStatusSource(async (ids) => new Map((await this.repo.statuses(ids)).map((row) => [row.inboxId, toImapStatus(row)])));
  }

  protected enabled(): boolean {
    return this.config.MAIL_RECEIVER_ENABLED;
  }

  protected errorDelayMs(): number {
    return this.config.MAIL_RECEIVER_SCAN_INTERVAL_MS;
  }

  protected async tick(): Promise<number> {
    await this.runOnce();
    return this.config.MAIL_RECEIVER_SCAN_INTERVAL_MS;
  }

  /** Starts sessions for inboxes that have none here and whose lease is free. */
  async runOnce(): Promise<void> {
    const ids = await this.inboxes.imapInboxIds();
    for (const [id, run] of this.running) if (!ids.includes(id)) run.stop = true;
    for (const id of ids) {
      if (this.isStopping || this.running.has(id)) continue;
      if ((this.failures.get(id)?.retryAt ?? 0) > Date.now()) continue;
      if (!(await this.repo.acquireLease(id, this.owner, this.config.MAIL_RECEIVER_LEASE_SECONDS))) continue;
      const run: Running = { session: undefined, done: Promise.resolve(), stop: false };
      run.done = this.receive(id, run).finally(() => this.running.delete(id));
      this.running.set(id, run);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    for (const run of this.running.values()) {
      run.stop = true;
      run.session?.wake();
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async receive(inboxId: number, run: Running): Promise<void> {
    try {
      const settings = await this.inboxes.getImapSettings(inboxId);
      if (!settings) return;
      const session = new ImapSession(settings, {
        repo: this.repo,
        importer: this.importer,
        logger: this.logger,
        maxMessageBytes: this.config.MAIL_RECEIVER_MAX_MESSAGE_MB * 1024 * 1024,
        ownAddresses: () => this.ownAddresses(),
      });
      run.session = session;
      try {
        await session.open();
        await this.serve(inboxId, settings, session, run);
      } finally {
        await session.close();
      }
    } catch (err) {
      this.fail(inboxId, err);
    } finally {
      await this.repo.releaseLease(inboxId, this.owner).catch(() => undefined);
    }
  }

  private async serve(inboxId: number, settings: ImapSettings, session: ImapSession, run: Running): Promise<void> {
    const leaseMs = this.config.MAIL_RECEIVER_LEASE_SECONDS * 1000;
    while (!run.stop && !this.isStopping && session.usable) {
      await session.sync();
      await this.repo.recordHealth(inboxId, null);
      this.failures.delete(inboxId);
      await session.wait(Math.min(settings.poll_interval_seconds * 1000, leaseMs / 3));
      if (run.stop || this.isStopping) return;
      if (!(await this.repo.acquireLease(inboxId, this.owner, this.config.MAIL_RECEIVER_LEASE_SECONDS))) return;
      if (!sameSettings(settings, await this.inboxes.getImapSettings(inboxId))) return;
    }
    if (!session.usable && !run.stop && !this.isStopping) throw new Error('the IMAP server closed the connection');
  }

  private fail(inboxId: number, err: unknown): void {
    const count = (this.failures.get(inboxId)?.count ?? 0) + 1;
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** (count - 1), BACKOFF_MAX_MS);
    this.failures.set(inboxId, { count, retryAt: Date.now() + delay });
    const message = describe(err);
    this.logger.warn(`Inbox ${inboxId}: receiving failed (${count} in a row), retrying in ${delay} ms: ${message}`);
    this.repo.recordHealth(inboxId, message).catch(() => undefined);
  }

  private async ownAddresses(): Promise<Set<string>> {
    const all = await this.inboxes.list();
    return new Set(all.map((i) => parseMailbox(i.from)?.address.toLowerCase() ?? '').filter(Boolean));
  }
}

function sameSettings(a: ImapSettings, b: ImapSettings | null): boolean {
  return b !== null && JSON.stringify(a) === JSON.stringify(b);
}
