import addressparser from 'nodemailer/lib/addressparser';
import { isEmail } from 'class-validator';
import { EMAIL_OPTIONS } from '../../shared/http/validators.js';
import { type ImapStatus, type StoredImapConfig, EMPTY_IMAP_STATUS, toImap } from './imap-settings.js';

export const SMTP_TLS_MODES = ['none', 'starttls', 'tls'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];
export type InboxChannel = 'email' | 'livechat';

/** What `inboxes.config` holds for an email inbox. The password is AES-GCM sealed (see smtp-password.ts). */
export interface StoredSmtpConfig {
  host?: string;
  port?: number;
  tls?: SmtpTlsMode;
  username?: string;
  password?: string;
}

export interface InboxRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  uuid: string;
  name: string;
  channel: InboxChannel;
  enabled: boolean;
  csat_enabled: boolean;
  from: string;
  config: { smtp?: StoredSmtpConfig; imap?: StoredImapConfig } | null;
}

/** The port a TLS mode usually listens on, when none is given. */
export const defaultPort = (tls: SmtpTlsMode): number => (tls === 'tls' ? 465 : tls === 'none' ? 25 : 587);

/** The bare address of `Name <addr>` or `addr`; null unless it is exactly one valid address. */
export function parseMailbox(from: string): { name: string; address: string } | null {
  const parsed = addressparser(from, { flatten: true });
  if (parsed.length !== 1) return null;
  const { name, address } = parsed[0];
  if (!address || !isEmail(address, EMAIL_OPTIONS)) return null;
  return { name, address };
}

export function smtpOf(row: Pick<InboxRow, 'config'>): Required<Omit<StoredSmtpConfig, 'password'>> & { password?: string } {
  const smtp = row.config?.smtp ?? {};
  const tls = smtp.tls ?? 'starttls';
  return { host: smtp.host ?? '', port: smtp.port ?? defaultPort(tls), tls, username: smtp.username ?? '', password: smtp.password };
}

/** An inbox as the API shows it: the SMTP password only as `password_set`. */
export function toInbox(row: InboxRow, imapStatus: ImapStatus | null = null) {
  const smtp = smtpOf(row);
  const imap = toImap(row.config);
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    name: row.name,
    channel: row.channel,
    enabled: row.enabled,
    csat_enabled: row.csat_enabled,
    from: row.from,
    smtp: { host: smtp.host, port: smtp.port, tls: smtp.tls, username: smtp.username, password_set: Boolean(smtp.password) },
    imap,
    imap_status: imap ? (imapStatus ?? EMPTY_IMAP_STATUS) : null,
  };
}
export type Inbox = ReturnType<typeof toInbox>;
