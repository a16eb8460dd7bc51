import type { Readable } from 'node:stream';

export interface StoredObject {
  body: Readable;
  size?: number;
}

/** Where uploaded bytes live, addressed only by the media uuid (never by a client-supplied name). */
export abstract class MediaStore {
  abstract readonly kind: 'fs' | 's3';
  abstract put(uuid: string, content: Buffer, contentType: string): Promise<void>;
  /** Null when the object is gone. */
  abstract open(uuid: string): Promise<StoredObject | null>;
  abstract remove(uuid: string): Promise<void>;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUuid(uuid: string): void {
  if (!UUID_PATTERN.test(uuid)) throw new Error(`Refusing a storage key that is not a uuid: ${uuid}`);
}
