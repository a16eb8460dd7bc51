import type { ContactHitRow, ConversationHitRow, MessageHitRow } from './search.repository.js';

/** The contract's `ConversationSearchResult`, plus the status name Libredesk adds. */
export function toConversationSearchResult(row: ConversationHitRow) {
  return {
    created_at: row.created_at.toISOString(),
    uuid: row.uuid,
    reference_number: row.reference_number,
    subject: row.subject,
    status: row.status,
  };
}

/** The contract's `MessageSearchResult`, with a real `created_at` and the conversation's status. */
export function toMessageSearchResult(row: MessageHitRow) {
  return {
    created_at: row.created_at.toISOString(),
    text_content: row.text_content,
    conversation_created_at: row.conversation_created_at.toISOString(),
    conversation_uuid: row.conversation_uuid,
    conversation_reference_number: row.conversation_reference_number,
    conversation_status: row.conversation_status,
  };
}

/** The contract's `ContactSearchResult`, plus the `id` Libredesk sends. */
export function toContactSearchResult(row: ContactHitRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
  };
}
