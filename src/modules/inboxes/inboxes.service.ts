import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../../shared/config/app-config.js';
import { InvalidInput, NotFound } from '../../shared/http/errors.js';
import type { InboxImapRequest } from './dto/inbox-imap.dto.js';
import type { InboxCreateRequest, InboxSmtpRequest, InboxUpdateRequest } from './dto/inbox-request.dto.js';
import { type ImapSettings, type ImapStatusSource, imapOf, MASKED_PASSWORD } from './imap-settings.js';
import { type Inbox, type InboxChannel, type InboxRow, parseMailbox, smtpOf, type SmtpTlsMode, toInbox } from './inboxes.mapper.js';
import { InboxesRepository } from './inboxes.repository.js';
import { SmtpPasswordBox } from './smtp-password.js';

export interface ConversationInbox {
  id: number;
  name: string;
  channel: InboxChannel;
  enabled: boolean;
  from: string;
  /** The bare address of `from`. */
  mail: string;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: SmtpTlsMode;
  username: string;
  password: string;
  from: string;
}

@Injectable()
export class InboxesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(InboxesService.name);
  private imapStatus: ImapStatusSource | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly repo: InboxesRepository,
    private readonly passwords: SmtpPasswordBox,
  ) {}

  async list(): Promise<Inbox[]> {
    return this.present(await this.repo.list());
  }

  async get(id: number): Promise<Inbox> {
    const row = await this.repo.findById(id);
    if (!row) throw new NotFound('Inbox not found');
    return (await this.present([row]))[0];
  }

  async create(dto: InboxCreateRequest): Promise<Inbox> {
    const smtp = this.smtpPatch(dto.smtp ?? {});
    const id = await this.dataSource.transaction(async (m) => {
      const row = await this.repo.insert(
        { name: dto.name, enabled: dto.enabled ?? true, csat_enabled: dto.csat_enabled ?? false, from: dto.from },
        Object.fromEntries(Object.entries(smtp).filter(([, v]) => v !== null)),
        m,
      );
      if (dto.imap) await this.repo.mergeImap(row.id, this.imapPatch(dto.imap), m);
      return row.id;
    });
    return this.get(id);
  }

  async update(id: number, dto: InboxUpdateRequest): Promise<Inbox> {
    const found = await this.dataSource.transaction(async (m) => {
      const row = await this.repo.update(
        id,
        { name: dto.name, enabled: dto.enabled, csat_enabled: dto.csat_enabled, from: dto.from },
        this.smtpPatch(dto.smtp ?? {}),
        m,
      );
      if (row && dto.imap) await this.repo.mergeImap(id, this.imapPatch(dto.imap), m);
      return row !== null;
    });
    if (!found) throw new NotFound('Inbox not found');
    return this.get(id);
  }

  /** Receiving health comes from the mail-inbound module, which depends on this one. */
  registerImapStatusSource(source: ImapStatusSource): void {
    this.imapStatus = source;
  }

  private async present(rows: InboxRow[]): Promise<Inbox[]> {
    const withImap = rows.filter((r) => imapOf(r.config)).map((r) => r.id);
    const statuses = this.imapStatus && withImap.length ? await this.imapStatus(withImap) : new Map<number, never>();
    return rows.map((row) => toInbox(row, statuses.get(row.id) ?? null));
  }

  /** Enabled email inboxes with IMAP settings. */
  async imapInboxIds(): Promise<number[]> {
    return (await this.repo.imapInboxIds()).map((r) => r.id);
  }

  /** What the receiver connects with; null when the inbox is gone, disabled or has no IMAP host. */
  async getImapSettings(id: number): Promise<ImapSettings | null> {
    const row = await this.repo.findById(id);
    const imap = row && row.enabled && row.channel === 'email' ? imapOf(row.config) : null;
    if (!row || !imap) return null;
    let password = '';
    if (imap.password) {
      const opened = this.passwords.openOrNull(imap.password);
      if (opened === null) this.logger.warn(`Inbox ${id}: the stored IMAP password cannot be decrypted (was APP_SECRET changed?); set it again`);
      password = opened ?? '';
    }
    return { ...imap, password, inboxId: row.id, from: row.from };
  }

  /** Soft delete: conversations keep their inbox row; the inbox disappears from the API. */
  async remove(id: number): Promise<true> {
    if (!(await this.repo.softDelete(id))) throw new NotFound('Inbox not found');
    return true;
  }

  /** The inbox a new conversation goes into; it must exist and be enabled. */
  async getForConversation(id: number, manager?: EntityManager): Promise<ConversationInbox> {
    const row = await this.repo.findById(id, manager);
    if (!row) throw new NotFound('Inbox not found');
    if (!row.enabled) throw new InvalidInput('Inbox is disabled');
    return { id: row.id, name: row.name, channel: row.channel, enabled: row.enabled, from: row.from, mail: parseMailbox(row.from)?.address ?? '' };
  }

  /** What the email delivery worker connects with; null when the inbox is gone or has no SMTP host. */
  async getSmtpSettings(id: number): Promise<SmtpSettings | null> {
    const row = await this.repo.findById(id);
    if (!row || row.channel !== 'email') return null;
    const smtp = smtpOf(row);
    if (!smtp.host) return null;
    let password = '';
    if (smtp.password) {
      const opened = this.passwords.openOrNull(smtp.password);
      if (opened === null) this.logger.warn(`Inbox ${id}: the stored SMTP password cannot be decrypted (was APP_SECRET changed?); set it again`);
      password = opened ?? '';
    }
    return { host: smtp.host, port: smtp.port, secure: smtp.tls, username: smtp.username, password, from: row.from };
  }

  /**
   * Applies INBOX_EMAIL and, when SMTP_HOST is set, the whole SMTP_* set to the seeded inbox on every
   * start. One UPDATE of deterministic values, so concurrent instances with the same environment converge.
   */
  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    if (!c.INBOX_EMAIL && !c.SMTP_HOST && !c.IMAP_HOST) return;
    if (c.INBOX_EMAIL && !parseMailbox(c.INBOX_EMAIL)) {
      throw new Error(`INBOX_EMAIL=${JSON.stringify(c.INBOX_EMAIL)} must be an email address or "Name <email>"`);
    }
    const id = await this.repo.seededInboxId();
    if (id === null) {
      this.logger.warn('INBOX_EMAIL/SMTP_HOST are set but the default inbox has been deleted; they are not applied');
      return;
    }
    const smtp: InboxSmtpRequest = c.SMTP_HOST
      ? { host: c.SMTP_HOST, port: c.SMTP_PORT, tls: c.SMTP_TLS, username: c.SMTP_USERNAME ?? '', password: c.SMTP_PASSWORD ?? '' }
      : {};
    await this.repo.update(id, { from: c.INBOX_EMAIL }, this.smtpPatch(smtp), this.dataSource.manager);
    if (c.IMAP_HOST) {
      const imap: InboxImapRequest = {
        host: c.IMAP_HOST,
        port: c.IMAP_PORT,
        tls: c.IMAP_TLS,
        username: c.IMAP_USERNAME ?? '',
        password: c.IMAP_PASSWORD ?? '',
        mailbox: c.IMAP_MAILBOX ?? 'INBOX',
        poll_interval_seconds: c.IMAP_POLL_INTERVAL_SECONDS,
      };
      await this.repo.mergeImap(id, this.imapPatch(imap), this.dataSource.manager);
    }
  }

  /** The stored form of IMAP settings from a request; an omitted or masked password keeps the stored one. */
  private imapPatch(dto: InboxImapRequest): Record<string, unknown> {
    const { password, ...rest } = dto;
    const patch: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (password !== undefined && password !== MASKED_PASSWORD) patch.password = password === '' ? null : this.passwords.seal(password);
    return patch;
  }

  /** The stored form of SMTP settings from a request: the password sealed, `""` password removes it (null). */
  private smtpPatch(dto: InboxSmtpRequest): Record<string, string | number | null> {
    const patch: Record<string, string | number | null> = {};
    if (dto.host !== undefined) patch.host = dto.host;
    if (dto.port !== undefined) patch.port = dto.port;
    if (dto.tls !== undefined) patch.tls = dto.tls;
    if (dto.username !== undefined) patch.username = dto.username;
    if (dto.password !== undefined) patch.password = dto.password === '' ? null : this.passwords.seal(dto.password);
    return patch;
  }
}
