import { Injectable } from '@nestjs/common';
import type { SendMailOptions } from 'nodemailer';
import { MediaService } from '../media/media.service.js';
import { addressList, bracketed, LOOP_HEADER, loopHeaderValue, replySubject, threadIdFor, threadingHeaders } from './mail-headers.js';
import { OutboxService } from './outbox.service.js';
import type { OutgoingMessage } from './outgoing-messages.js';

/** The email for one outgoing message: recipients, reply subject, threading headers, body and attachments. */
@Injectable()
export class MailComposer {
  constructor(
    private readonly outbox: OutboxService,
    private readonly media: MediaService,
  ) {}

  /** Null `to` means there is nobody to send to: the message cannot be delivered at all. */
  async compose(message: OutgoingMessage, from: string, messageId: string, domain: string): Promise<SendMailOptions | null> {
    const meta = message.meta ?? {};
    const to = addressList(meta.to);
    if (to.length === 0 && message.contactEmail) to.push(message.contactEmail);
    if (to.length === 0) return null;
    const previous = await this.outbox.messages.previousSourceIds(message, 20);
    const { inReplyTo, references } = threadingHeaders(previous, threadIdFor(message.conversationUuid, domain));
    const isHtml = message.contentType === 'html';
    return {
      from,
      to,
      cc: addressList(meta.cc),
      bcc: addressList(meta.bcc),
      subject: replySubject(message.subject, message.referenceNumber),
      messageId: bracketed(messageId),
      inReplyTo,
      references,
      headers: { [LOOP_HEADER]: loopHeaderValue(from) },
      html: isHtml ? message.content : undefined,
      text: isHtml ? message.textContent : message.content,
      attachments: await this.attachments(message.id),
    };
  }

  private async attachments(messageId: number): Promise<NonNullable<SendMailOptions['attachments']>> {
    const files = (await this.media.attachmentsForMessages([messageId])).get(messageId) ?? [];
    return Promise.all(
      files.map(async (file) => ({
        filename: file.name,
        contentType: file.content_type,
        content: await this.media.readContent(file.uuid),
        contentDisposition: file.disposition === 'inline' ? ('inline' as const) : ('attachment' as const),
        cid: file.disposition === 'inline' && file.content_id ? file.content_id : undefined,
      })),
    );
  }
}
