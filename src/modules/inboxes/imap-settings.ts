import type { SmtpTlsMode } from './inboxes.mapper.js';

export const IMAP_TLS_MODES = ['none', 'starttls', 'tls'] as const;
/** Shown instead of a stored password; sent back unchanged it keeps the stored one. */
export const MASKED_PASSWORD = '••••••••••';

/** What `inboxes.config.imap` holds. The password is sealed like the SMTP one. */
export interface StoredImapConfig {
  host?: string;
  port?: number;
  tls?: SmtpTlsMode;
  tls_skip_verify?: boolean;
  username?: string;
  password?: string;
  mailbox?: string;
  poll_interval_seconds?: number;
  scan_since_hours?: number;
  mark_seen?: boolean;
}

export type ImapConfig = Required<Omit<StoredImapConfig, 'password'>> & { password?: string };

/** What the receiver connects with (password opened). */
export type ImapSettings = Required<StoredImapConfig> & { inboxId: number; from: string };

/** Receiving health, as `GET /inboxes/:id` shows it in `imap_status`. */
export interface ImapStatus {
  ok: boolean | null;
  last_error: string | null;
  last_error_at: string | null;
  last_success_at: string | null;
  imported: number;
  dropped: number;
  bounces: number;
  blocked: number;
}

/** Who reports receiving health (the mail-inbound module registers itself; inboxes does not depend on it). */
export type ImapStatusSource = (inboxIds: number[]) => Promise<Map<number, ImapStatus>>;

export const defaultImapPort = (tls: SmtpTlsMode): number => (tls === 'tls' ? 993 : 143);

export function imapOf(config: { imap?: StoredImapConfig } | null): ImapConfig | null {
  const imap = config?.imap;
  if (!imap?.host) return null;
  const tls = imap.tls ?? 'tls';
  return {
    host: imap.host,
    port: imap.port ?? defaultImapPort(tls),
    tls,
    tls_skip_verify: imap.tls_skip_verify ?? false,
    username: imap.username ?? '',
    password: imap.password,
    mailbox: imap.mailbox || 'INBOX',
    poll_interval_seconds: imap.poll_interval_seconds ?? 60,
    scan_since_hours: imap.scan_since_hours ?? 48,
    mark_seen: imap.mark_seen ?? false,
  };
}

/** The `imap` settings as the API shows them: the password masked, never returned. */
export function toImap(config: { imap?: StoredImapConfig } | null) {
  const imap = imapOf(config);
  if (!imap) return null;
  const { password, ...rest } = imap;
  return { ...rest, password: password ? MASKED_PASSWORD : '', password_set: Boolean(password) };
}

export const EMPTY_IMAP_STATUS: ImapStatus = {
  ok: null,
  last_error: null,
  last_error_at: null,
  last_success_at: null,
  imported: 0,
  dropped: 0,
  bounces: 0,
  blocked: 0,
};
