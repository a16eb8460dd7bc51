import type { Logger } from '@nestjs/common';
import type { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../inboxes/imap-settings.js';
import type { InboundImporter } from './inbound-importer.service.js';
import type { InboundRepository } from './inbound.repository.js';

const MAX_RETRIES_PER_UID = 5;
const CONNECT_TIMEOUT_MS = 15_000;

export interface SessionContext {
  repo: InboundRepository;
  importer: InboundImporter;
  logger: Logger;
  maxMessageBytes: number;
  ownAddresses: () => Promise<Set<string>>;
}

export function connectOptions(s: ImapSettings) {
  return {
    host: s.host,
    port: s.port,
    secure: s.tls === 'tls',
    doSTARTTLS: s.tls === 'starttls' ? true : s.tls === 'none' ? false : undefined,
    tls: { rejectUnauthorized: !s.tls_skip_verify },
    auth: { user: s.username, pass: s.password },
    logger: false as const,
    disableAutoIdle: true,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
  };
}

/**
 * One connection to an inbox's mailbox: opens the folder (read-only unless `mark_seen`), imports every
 * UID past the stored progress, then waits in IDLE (or sleeps, without IDLE) until new mail, the poll
 * interval, or `wake()`. Progress is stored per UID with the folder's UIDVALIDITY.
 */
export class ImapSession {
  private client: ImapFlow | undefined;
  private wakeUp: (() => void) | undefined;
  private closed = false;

  constructor(
    readonly settings: ImapSettings,
    private readonly ctx: SessionContext,
  ) {}

  async open(): Promise<void> {
    // Loaded on first use: a server with no IMAP inbox never holds the client's code (about 10 MB).
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow(connectOptions(this.settings));
    client.on('error', (err: Error) => this.ctx.logger.warn(`Inbox ${this.settings.inboxId}: IMAP connection error: ${err.message}`));
    client.on('close', () => this.wake());
    this.client = client;
    await client.connect();
    await client.mailboxOpen(this.settings.mailbox, { readOnly: !this.settings.mark_seen });
  }

  get usable(): boolean {
    return !this.closed && this.client?.usable === true;
  }

  /** Imports what is new; answers how many UIDs it handled. */
  async sync(): Promise<number> {
    const client = this.client!;
    const box = client.mailbox;
    if (!box) throw new Error('the mailbox is not open');
    const inboxId = this.settings.inboxId;
    const uidValidity = box.uidValidity.toString();
    let state = await this.ctx.repo.state(inboxId);
    let candidates: number[];
    if (!state || state.mailbox !== this.settings.mailbox || state.uidValidity !== uidValidity) {
      // First contact, another folder, or the server renumbered it: look back `scan_since_hours`;
      // receipts by Message-ID keep mail imported before out.
      const since = new Date(Date.now() - this.settings.scan_since_hours * 3_600_000);
      const found = this.settings.scan_since_hours > 0 ? (await client.search({ since }, { uid: true })) || [] : [];
      await this.ctx.repo.resetProgress(inboxId, this.settings.mailbox, uidValidity, Math.max(0, box.uidNext - 1));
      candidates = found;
      state = await this.ctx.repo.state(inboxId);
    } else {
      const last = Number(state.lastUid);
      const found = (await client.search({ uid: `${last + 1}:*` }, { uid: true })) || [];
      candidates = [...Object.keys(state.retryUids).map(Number), ...found.filter((uid) => uid > last)];
    }
    const retries = state?.retryUids ?? {};
    const own = await this.ctx.ownAddresses();
    const uids = [...new Set(candidates)].sort((a, b) => a - b);
    for (const uid of uids) {
      if (this.closed) break;
      await this.handle(uid, uidValidity, own, retries[String(uid)] ?? 0);
    }
    return uids.length;
  }

  private async handle(uid: number, uidValidity: string, ownAddresses: Set<string>, attempts: number): Promise<void> {
    const client = this.client!;
    const inboxId = this.settings.inboxId;
    try {
      const head = await client.fetchOne(String(uid), { uid: true, flags: true, size: true }, { uid: true });
      if (!head || head.flags?.has('\\Deleted')) {
        await this.ctx.repo.recordProgress(inboxId, uid, null);
        return;
      }
      const size = head.size ?? 0;
      const oversize = size > this.ctx.maxMessageBytes;
      const fetched = await client.fetchOne(String(uid), oversize ? { uid: true, headers: true } : { uid: true, source: true }, { uid: true });
      const source = oversize
        ? Buffer.concat([fetched ? (fetched.headers ?? Buffer.alloc(0)) : Buffer.alloc(0), Buffer.from('\r\n')])
        : fetched
          ? fetched.source
          : undefined;
      if (!source) throw new Error('the server returned no message body');
      const outcome = await this.ctx.importer.import(source, { inboxId, uid, uidValidity, ownAddresses, truncatedSize: oversize ? size : undefined });
      if (this.settings.mark_seen && outcome === 'imported') await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      await this.ctx.repo.recordProgress(inboxId, uid, null);
      if (outcome !== 'imported' && outcome !== 'duplicate') this.ctx.logger.log(`Inbox ${inboxId}: UID ${uid} not imported (${outcome})`);
    } catch (err) {
      if (!client.usable) throw err;
      const tries = attempts + 1;
      const giveUp = tries >= MAX_RETRIES_PER_UID;
      this.ctx.logger.error(
        `Inbox ${inboxId}: UID ${uid} could not be imported (attempt ${tries}/${MAX_RETRIES_PER_UID}${giveUp ? ', giving up; it stays in the mailbox' : ', will retry'}): ${describe(err)}`,
      );
      await this.ctx.repo.recordProgress(inboxId, uid, giveUp ? null : tries);
    }
  }

  /** Waits for new mail (IDLE when offered), at most `ms`. */
  async wait(ms: number): Promise<void> {
    const client = this.client!;
    if (this.closed || !client.usable) return;
    let timer: NodeJS.Timeout | undefined;
    let onExists: (() => void) | undefined;
    const woken = new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      timer = setTimeout(resolve, ms);
      onExists = () => resolve();
      client.on('exists', onExists);
    });
    if (client.capabilities.has('IDLE')) {
      const idling = client.idle().catch(() => undefined);
      await woken;
      if (client.usable) await client.noop().catch(() => undefined);
      await idling;
    } else {
      await woken;
    }
    clearTimeout(timer);
    client.off('exists', onExists!);
    this.wakeUp = undefined;
  }

  wake(): void {
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    const client = this.client;
    if (!client) return;
    try {
      if (client.usable) await client.logout();
    } catch {
      client.close();
    }
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const extra = (err as { responseText?: string }).responseText;
    return extra && !err.message.includes(extra) ? `${err.message}: ${extra}` : err.message;
  }
  return String(err);
}
