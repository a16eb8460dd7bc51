import type { MessageAttachment } from '../media/media.mapper.js';
import { iso } from '../../shared/http/serialize.js';
import type { ContactConversationRow, ContactMessageRow } from './contact-data.repository.js';
import type { ContactExportRow, ContactNoteRow } from './contacts.mapper.js';

/**
 * GET /contacts/{id}/export: everything held about a contact, for a data-protection request. Upstream's
 * unmerged design (`{contact, conversations}`, reference integrator-api §4) plus the notes and each
 * message's attachments with signed URLs. Private notes and activity lines are not included.
 */
export function toContactExport(
  contact: ContactExportRow,
  notes: ContactNoteRow[],
  conversations: ContactConversationRow[],
  messages: ContactMessageRow[],
  attachments: Map<number, MessageAttachment[]>,
  now: Date,
) {
  const byConversation = new Map<number, ContactMessageRow[]>();
  for (const m of messages) byConversation.set(m.conversation_id, [...(byConversation.get(m.conversation_id) ?? []), m]);
  return {
    exported_at: now.toISOString(),
    contact: {
      id: contact.id,
      created_at: contact.created_at.toISOString(),
      updated_at: contact.updated_at.toISOString(),
      first_name: contact.first_name,
      last_name: contact.last_name,
      email: contact.email,
      phone_number_country_code: contact.phone_number_country_code,
      phone_number: contact.phone_number,
      country: contact.country,
      avatar_url: contact.avatar_url,
      external_user_id: contact.external_user_id,
      custom_attributes: contact.custom_attributes ?? {},
      availability_status: contact.availability_status,
      last_active_at: iso(contact.last_active_at),
      last_login_at: iso(contact.last_login_at),
      enabled: contact.enabled,
    },
    notes: notes.map((n) => ({ id: n.id, created_at: n.created_at.toISOString(), note: n.note })),
    conversations: conversations.map((c) => ({
      uuid: c.uuid,
      reference_number: c.reference_number,
      created_at: c.created_at.toISOString(),
      subject: c.subject,
      status: c.status,
      priority: c.priority,
      custom_attributes: c.custom_attributes ?? {},
      messages: (byConversation.get(c.id) ?? []).map((m) => ({
        uuid: m.uuid,
        created_at: m.created_at.toISOString(),
        type: m.type,
        sender_type: m.sender_type,
        content_type: m.content_type,
        content: m.content,
        attachments: (attachments.get(m.id) ?? []).map((a) => ({ name: a.name, content_type: a.content_type, size: a.size, url: a.url })),
      })),
    })),
  };
}
export type ContactExport = ReturnType<typeof toContactExport>;
