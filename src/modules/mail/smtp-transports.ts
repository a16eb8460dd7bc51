import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfig } from '../../shared/config/app-config.js';
import { InboxesService, type SmtpSettings } from '../inboxes/inboxes.service.js';

export interface SmtpRoute {
  transport: Transporter;
  /** The sender for the From header: the inbox's, else INBOX_EMAIL. */
  from: string;
}

interface CachedTransport {
  key: string;
  transport: Transporter;
}

/** Bounds on every SMTP step, so a silent or stuck server fails the attempt instead of wedging the worker. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000, dnsTimeout: 15_000 };

/**
 * SMTP connections per inbox: the inbox's own settings, else the global SMTP_* ones. A pooled
 * transport is kept per inbox and replaced when its settings change.
 */
@Injectable()
export class SmtpTransports implements OnApplicationShutdown {
  private readonly logger = new Logger(SmtpTransports.name);
  private readonly cache = new Map<string, CachedTransport>();

  constructor(
    private readonly inboxes: InboxesService,
    private readonly config: AppConfig,
  ) {}

  /** Null when neither the inbox nor the environment names an SMTP server (or a sender). */
  async forInbox(inboxId: number, inboxFrom: string): Promise<SmtpRoute | null> {
    const own = await this.inboxes.getSmtpSettings(inboxId);
    const settings = own ?? this.globalSettings();
    if (!settings) return null;
    const from = settings.from || inboxFrom || this.config.INBOX_EMAIL || '';
    if (!from) return null;
    return { transport: this.transportFor(own ? `inbox:${inboxId}` : 'global', settings), from };
  }

  private globalSettings(): SmtpSettings | null {
    const c = this.config;
    if (!c.SMTP_HOST) return null;
    return { host: c.SMTP_HOST, port: c.SMTP_PORT, secure: c.SMTP_TLS, username: c.SMTP_USERNAME ?? '', password: c.SMTP_PASSWORD ?? '', from: '' };
  }

  private transportFor(slot: string, s: SmtpSettings): Transporter {
    const key = createHash('sha256')
      .update(JSON.stringify([s.host, s.port, s.secure, s.username, s.password]))
      .digest('hex');
    const cached = this.cache.get(slot);
    if (cached?.key === key) return cached.transport;
    cached?.transport.close();
    const transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure === 'tls',
      requireTLS: s.secure === 'starttls',
      ignoreTLS: s.secure === 'none',
      auth: s.username ? { user: s.username, pass: s.password } : undefined,
      pool: true,
      maxConnections: 2,
      ...TIMEOUTS,
    });
    this.cache.set(slot, { key, transport });
    return transport;
  }

  onApplicationShutdown(): void {
    for (const { transport } of this.cache.values()) transport.close();
    this.cache.clear();
  }
}
