import { Readable } from 'node:stream';

export interface StoredObject {
  body: Readable;
  size?: number;
}

export interface DirectDownloadOptions {
  filename: string;
  contentType: string;
  disposition: 'inline' | 'attachment';
  expiresInSeconds: number;
}

/** Where a client may fetch an object itself: a URL, `missing` when the object is gone, `unsupported` to serve it through this server. */
export type DirectDownload = { url: string } | 'missing' | 'unsupported';

/** Where uploaded bytes live, addressed only by the media uuid (never by a client-supplied name). */
export abstract class MediaStore {
  abstract readonly kind: 'fs' | 's3';
  /** Stores a stream as it arrives; when it fails (or the stream does), nothing is left behind. */
  abstract write(uuid: string, body: Readable, contentType: string): Promise<void>;
  /** Null when the object is gone. */
  abstract open(uuid: string): Promise<StoredObject | null>;
  abstract remove(uuid: string): Promise<void>;

  put(uuid: string, content: Buffer, contentType: string): Promise<void> {
    return this.write(uuid, Readable.from([content]), contentType);
  }

  directDownload(_uuid: string, _options: DirectDownloadOptions): Promise<DirectDownload> {
    return Promise.resolve('unsupported');
  }
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUuid(uuid: string): void {
  if (!UUID_PATTERN.test(uuid)) throw new Error(`Refusing a storage key that is not a uuid: ${uuid}`);
}
