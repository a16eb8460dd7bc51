import type { ImapStatus } from '../inboxes/imap-settings.js';
import type { InboundMailboxEntity } from './entities/inbound-mailbox.entity.js';

export function toImapStatus(row: InboundMailboxEntity): ImapStatus {
  return {
    ok: row.ok,
    last_error: row.ok === false ? row.lastError : null,
    last_error_at: row.lastErrorAt?.toISOString() ?? null,
    last_success_at: row.lastSuccessAt?.toISOString() ?? null,
    imported: row.importedCount,
    dropped: row.droppedCount,
    bounces: row.bounceCount,
    blocked: row.blockedCount,
  };
}
