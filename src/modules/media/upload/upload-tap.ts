import { Transform, type TransformCallback } from 'node:stream';

/** Bytes file-type looks at to recognise a format. */
export const SNIFF_BYTES = 64 * 1024;
/** Bytes kept for reading image dimensions (headers of png/gif/jpeg come first; a jpeg with a huge EXIF block may not fit). */
export const HEAD_BYTES = 512 * 1024;

/**
 * Passes an upload through unchanged while counting its bytes and keeping its first `HEAD_BYTES`.
 * `sniffable` resolves once the first `SNIFF_BYTES` (or the whole, shorter file) went through, so the
 * type can be decided before the store starts reading; its readable buffer is larger than that, so
 * nothing waits on a reader that has not started yet.
 */
export class UploadTap extends Transform {
  bytes = 0;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private announce!: (head: Buffer) => void;
  readonly sniffable = new Promise<Buffer>((resolve) => (this.announce = resolve));

  constructor() {
    super({ readableHighWaterMark: 2 * SNIFF_BYTES });
  }

  get head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.kept < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.kept);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
      if (this.kept >= SNIFF_BYTES) this.announce(this.head);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.announce(this.head);
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.announce(this.head);
    callback(err);
  }
}
