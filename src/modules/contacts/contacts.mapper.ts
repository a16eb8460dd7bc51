import { iso } from '../../shared/http/serialize.js';
export interface ContactRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  type: string;
  first_name: string;
  last_name: string;
  email: string | null;
  availability_status: string;
  phone_number_country_code: string | null;
  phone_number: string | null;
  avatar_url: string | null;
  enabled: boolean;
  last_active_at: Date | null;
  last_login_at: Date | null;
  custom_attributes: Record<string, unknown> | null;
}

export interface ContactExportRow extends ContactRow {
  country: string | null;
  external_user_id: string | null;
}

export interface ContactNoteRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  contact_id: number;
  note: string;
  user_id: number;
  first_name: string;
  last_name: string;
  avatar_url: string | null;
}

/** The contract's `Contact`: a user payload without roles, permissions, teams or API key. */
export function toContact(row: ContactRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    type: row.type,
    availability_status: row.availability_status,
    avatar_url: row.avatar_url,
    phone_number: row.phone_number,
    phone_number_country_code: row.phone_number_country_code,
    custom_attributes: row.custom_attributes ?? {},
    enabled: row.enabled,
    last_active_at: iso(row.last_active_at),
    last_login_at: iso(row.last_login_at),
    roles: null,
    permissions: null,
    teams: [] as unknown[],
    api_key: null,
    api_key_last_used_at: null,
  };
}
export type Contact = ReturnType<typeof toContact>;

/** The contract's `ContactList` item. */
export function toContactListItem(
  row: Pick<ContactRow, 'id' | 'type' | 'first_name' | 'last_name' | 'email' | 'enabled' | 'avatar_url' | 'created_at' | 'updated_at'>,
) {
  return {
    id: row.id,
    type: row.type,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    enabled: row.enabled,
    avatar_url: row.avatar_url,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
export type ContactListItem = ReturnType<typeof toContactListItem>;

/** The contract's `ContactNote`; the names and avatar are the author's. */
export function toContactNote(row: ContactNoteRow) {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    contact_id: row.contact_id,
    note: row.note,
    user_id: row.user_id,
    first_name: row.first_name,
    last_name: row.last_name,
    avatar_url: row.avatar_url,
  };
}
export type ContactNote = ReturnType<typeof toContactNote>;
