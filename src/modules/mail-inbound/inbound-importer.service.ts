import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import { ContactBlocklist } from '../contacts/contact-blocklist.service.js';
import { IncomingEmails } from '../conversations/messages/incoming-email.service.js';
import { LOOP_HEADER } from '../mail/mail-headers.js';
import { OutboxService } from '../mail/outbox.service.js';
import { MediaService } from '../media/media.service.js';
import { autoReplyReason, bareIds, isDeliveryReport, isOwnLoop, readDeliveryReport, splitName } from './email-classifier.js';
import { type Counter, InboundRepository } from './inbound.repository.js';
import type { ReceiptOutcome } from './entities/inbound-receipt.entity.js';

/** Where an email came from in its mailbox. */
export interface MailboxPosition {
  inboxId: number;
  uid: number;
  uidValidity: string;
  /** Our own addresses (every inbox's), for the loop check. */
  ownAddresses: Set<string>;
  /** Only the headers were fetched: the email is over the size limit. */
  truncatedSize?: number;
}

export type ImportOutcome = ReceiptOutcome | 'duplicate';

const COUNTERS: Record<ReceiptOutcome, Counter> = {
  imported: 'imported_count',
  auto_reply: 'dropped_count',
  loop: 'dropped_count',
  bounce: 'bounce_count',
  blocked: 'blocked_count',
};

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address?.toLowerCase() ?? '')).filter(Boolean);

/**
 * One email from a mailbox, start to end: parse, drop loops and auto-replies, apply delivery reports
 * to the outgoing message they are about, refuse blocked senders, and import the rest with its
 * attachments. Throws only when it should be tried again (the database is away).
 */
@Injectable()
export class InboundImporter {
  private readonly logger = new Logger(InboundImporter.name);

  constructor(
    private readonly repo: InboundRepository,
    private readonly emails: IncomingEmails,
    private readonly blocklist: ContactBlocklist,
    private readonly outbox: OutboxService,
    private readonly media: MediaService,
  ) {}

  async import(source: Buffer, at: MailboxPosition): Promise<ImportOutcome> {
    // Loaded on first use, like the IMAP client: most servers never parse a mail.
    const { simpleParser } = await import('mailparser');
    const parsed = await simpleParser(source, { skipImageLinks: true, skipHtmlToText: true, maxHtmlLengthToParse: 10 * 1024 * 1024 });
    const messageId = bareIds(parsed.messageId)[0] ?? `${createHash('sha256').update(source).digest('hex').slice(0, 40)}@no-message-id.invalid`;
    if (await this.repo.receiptExists(messageId)) return 'duplicate';
    const receipt = (outcome: ReceiptOutcome, detail: string | null = null) =>
      this.repo.insertReceipt({ inboxId: at.inboxId, messageId, uidValidity: at.uidValidity, uid: at.uid, outcome, detail }, COUNTERS[outcome]);

    if (isOwnLoop(parsed.headers, LOOP_HEADER, at.ownAddresses)) return (await receipt('loop', 'carries our loop header')) ? 'loop' : 'duplicate';
    if (isDeliveryReport(parsed.headers)) return this.bounce(source, messageId, receipt);
    const autoReply = autoReplyReason(parsed.headers);
    if (autoReply) return (await receipt('auto_reply', autoReply)) ? 'auto_reply' : 'duplicate';

    const sender = [parsed.from, parsed.replyTo, parsed.headers.get('sender') as AddressObject | undefined]
      .flatMap((a) => a?.value ?? [])
      .find((v) => v.address);
    const email = sender?.address?.trim().toLowerCase() ?? '';
    if (email && (await this.blocklist.isBlocked(email))) return (await receipt('blocked', email)) ? 'blocked' : 'duplicate';
    return this.importMessage(parsed, messageId, email, sender?.name, at);
  }

  private async bounce(source: Buffer, messageId: string, receipt: (o: ReceiptOutcome, d?: string | null) => Promise<boolean>): Promise<ImportOutcome> {
    const report = readDeliveryReport(source.toString('utf8'));
    const original = report.failed ? await this.emails.findOutgoing(report.originalIds) : null;
    const detail = original ? `message ${original.id}: ${report.reason}` : `no outgoing message of ours (${report.reason})`;
    if (!(await receipt('bounce', detail.slice(0, 1000)))) return 'duplicate';
    if (original) await this.outbox.recordBounce(original.id, report.reason);
    return 'bounce';
  }

  private async importMessage(
    parsed: ParsedMail,
    messageId: string,
    email: string,
    displayName: string | undefined,
    at: MailboxPosition,
  ): Promise<ImportOutcome> {
    const senderEmail = email || `unknown-sender@no-from.invalid`;
    const { html, attachmentIds, skipped, storedUuids } = await this.storeAttachments(parsed);
    const meta: Record<string, unknown> = {
      from: addresses(parsed.from),
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      subject: parsed.subject ?? '',
      message_id: messageId,
      in_reply_to: bareIds(parsed.inReplyTo)[0] ?? null,
      references: bareIds(parsed.references),
    };
    if (skipped.length) meta.skipped_attachments = skipped;
    if (!email) meta.missing_from = true;
    if (at.truncatedSize !== undefined) meta.truncated = { size: at.truncatedSize, reason: 'larger than the import limit: headers only' };
    const threadIds = [...bareIds(parsed.inReplyTo), ...bareIds(parsed.references).reverse()];
    try {
      const { firstName, lastName } = splitName(displayName);
      const recorded = await this.emails.record(
        {
          inboxId: at.inboxId,
          messageId,
          threadIds,
          sender: { email: senderEmail, firstName, lastName },
          subject: (parsed.subject ?? '').slice(0, 1000),
          html,
          meta,
          attachmentIds,
        },
        (m) => this.repo.insertReceipt({ inboxId: at.inboxId, messageId, uidValidity: at.uidValidity, uid: at.uid, outcome: 'imported' }, 'imported_count', m),
        (m, id) => this.repo.linkReceipt(m, messageId, id),
      );
      if (!recorded) await this.discard(storedUuids);
      return recorded ? 'imported' : 'duplicate';
    } catch (err) {
      await this.discard(storedUuids);
      throw err;
    }
  }

  /** Stores attachments within the upload size limit; inline `cid:` images in the HTML point at their stored file. */
  private async storeAttachments(parsed: ParsedMail) {
    let html = parsed.html || parsed.textAsHtml || '';
    const attachmentIds: number[] = [];
    const storedUuids: string[] = [];
    const skipped: Array<{ filename: string; size: number; reason: string }> = [];
    for (const [index, file] of parsed.attachments.entries()) {
      const filename = file.filename || fallbackName(file, index);
      if (file.size > this.media.maxFileSizeBytes) {
        skipped.push({ filename, size: file.size, reason: `larger than the ${Math.round(this.media.maxFileSizeBytes / 1048576)} MB upload limit` });
        continue;
      }
      if (file.size === 0) continue;
      const cid = file.contentId?.replace(/^<|>$/g, '') ?? '';
      const inline = cid !== '' && html.includes(`cid:${cid}`);
      const row = await this.media.create({
        file: { filename, contentType: file.contentType, content: file.content },
        disposition: inline ? 'inline' : 'attachment',
        modelType: null,
      });
      attachmentIds.push(row.id);
      storedUuids.push(row.uuid);
      if (inline) html = html.split(`cid:${cid}`).join(this.media.pathOf(row.uuid));
    }
    return { html, attachmentIds, skipped, storedUuids };
  }

  private async discard(uuids: string[]): Promise<void> {
    for (const uuid of uuids) await this.media.remove(uuid);
  }
}

function fallbackName(file: Attachment, index: number): string {
  const ext = file.contentType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return `attachment-${index + 1}.${ext}`;
}
