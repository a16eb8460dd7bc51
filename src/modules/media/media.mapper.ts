export interface MediaRow {
  id: number;
  created_at: Date;
  updated_at: Date;
  uuid: string;
  store: 'fs' | 's3';
  filename: string;
  content_type: string;
  content_id: string;
  model_id: number | null;
  model_type: string | null;
  disposition: 'inline' | 'attachment' | null;
  size: number;
  meta: Record<string, unknown>;
}

/** The contract's `Media`. */
export interface Media {
  id: number;
  created_at: string;
  updated_at: string;
  uuid: string;
  store: string;
  filename: string;
  content_type: string;
  content_id: string;
  model_id: number | null;
  model_type: string | null;
  disposition: string | null;
  size: number;
  meta: Record<string, unknown>;
  url: string;
}

/** One entry of a message's `attachments`, as Libredesk renders them. */
export interface MessageAttachment {
  name: string;
  size: number;
  content: null;
  content_id: string;
  content_type: string;
  disposition: string | null;
  uuid: string;
  url: string;
  thumbnail_url: string;
}

export const isThumbnailable = (contentType: string): boolean => /^image\/(png|jpeg|gif)$/i.test(contentType);

export function toMedia(row: MediaRow, url: string): Media {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    uuid: row.uuid,
    store: row.store,
    filename: row.filename,
    content_type: row.content_type,
    content_id: row.content_id,
    model_id: row.model_id,
    model_type: row.model_type,
    disposition: row.disposition,
    size: row.size,
    meta: row.meta ?? {},
    url,
  };
}

export function toMessageAttachment(row: MediaRow, url: string): MessageAttachment {
  return {
    name: row.filename,
    size: row.size,
    content: null,
    content_id: row.content_id,
    content_type: row.content_type,
    disposition: row.disposition,
    uuid: row.uuid,
    url,
    thumbnail_url: isThumbnailable(row.content_type) ? url : '',
  };
}
