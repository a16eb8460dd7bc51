import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../shared/config/app-config.js';
import { InvalidInput, NotFound } from '../../shared/http/errors.js';
import { extensionOf, sanitizeFilename } from './filename.js';
import { type Media, type MediaRow, type MessageAttachment, toMedia, toMessageAttachment } from './media.mapper.js';
import { type MediaOwner, MediaRepository } from './media.repository.js';
import { MediaUrlSigner } from './media-url-signer.js';
import { MediaStore } from './storage/media-store.js';
import { SNIFF_BYTES, UploadTap } from './upload/upload-tap.js';

export interface IncomingFile {
  filename: string | undefined;
  contentType: string | undefined;
  content: Buffer;
}

/** A file streaming in (POST /media). */
export interface IncomingStream {
  filename: string | undefined;
  contentType: string | undefined;
  stream: Readable;
}

/** A streamed file already in the store, before its row is written. */
export interface StoredUpload {
  uuid: string;
  filename: string;
  contentType: string;
  size: number;
  meta: Record<string, unknown>;
}

export interface NewMedia {
  file: IncomingFile;
  disposition: 'inline' | 'attachment' | null;
  modelType: string | null;
  modelId?: number | null;
}

/** The bytes to send, or (S3) a presigned URL to send the client to instead. */
export type MediaDownload =
  { filename: string; contentType: string; disposition: 'inline' | 'attachment'; size: number; body: Readable } | { redirect: string };

/** Types a browser may show in place; anything else (svg and html included) downloads as an attachment. */
const INLINE_TYPES = /^(image\/(?!svg)[\w.+-]+|video\/[\w.+-]+|application\/pdf)$/i;
/** A presigned URL is handed out per download and followed at once. */
const PRESIGNED_URL_SECONDS = 300;
const UNTRUSTED_TYPES = new Set(['', 'application/octet-stream', 'application/data', 'application/binary']);
const IMAGE_EXTENSIONS = new Set(['gif', 'png', 'jpg', 'jpeg']);
const IMAGE_MAGIC = new Set(['image/png', 'image/jpeg', 'image/gif']);

@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: MediaRepository,
    private readonly store: MediaStore,
    private readonly signer: MediaUrlSigner,
    private readonly config: AppConfig,
  ) {}

  /** The upload size limit, which files stored by other modules (inbound email) honour too. */
  get maxFileSizeBytes(): number {
    return this.config.MEDIA_MAX_FILE_SIZE_MB * 1024 * 1024;
  }

  /**
   * POST /media, step 1: streams the file into the store while counting its bytes; the type is sniffed
   * from the first bytes and image dimensions read from the head. The size limit is the multipart
   * parser's (a truncated file is removed and answered 413). On any failure nothing is left stored.
   */
  async receive(file: IncomingStream): Promise<StoredUpload> {
    const filename = sanitizeFilename(file.filename);
    if (!this.extensionAllowed(filename)) throw new InvalidInput('File type not allowed');
    const tap = new UploadTap();
    const piping = pipeline(file.stream, tap);
    const sniffed = await fileTypeFromBuffer((await tap.sniffable).subarray(0, SNIFF_BYTES)).catch(() => undefined);
    const contentType = this.declaredType(file.contentType) ?? sniffed?.mime ?? 'application/octet-stream';
    const uuid = randomUUID();
    const [piped, written] = await Promise.allSettled([piping, this.store.write(uuid, tap, contentType)]);
    if (piped.status === 'rejected' || written.status === 'rejected') {
      await this.removeFile(uuid);
      throw piped.status === 'rejected' ? piped.reason : (written as PromiseRejectedResult).reason;
    }
    if (tap.bytes === 0) {
      await this.removeFile(uuid);
      throw new InvalidInput('This file is 0 bytes, so it will not be attached.');
    }
    const isImage = IMAGE_EXTENSIONS.has(extensionOf(filename)) && !!sniffed && IMAGE_MAGIC.has(sniffed.mime);
    return { uuid, filename, contentType, size: tap.bytes, meta: isImage ? dimensionsOf(tap.head) : {} };
  }

  /** The lasting address of a stored file (served to API credentials; signed URLs expire). */
  pathOf(uuid: string): string {
    return `${this.config.ROOT_URL ? this.config.ROOT_URL.replace(/\/+$/, '') : ''}/uploads/${uuid}`;
  }

  /** POST /media, step 2: the row for a file {@link receive} stored; the file is removed if the row cannot be written. */
  async upload(file: StoredUpload | null, options: { inline: boolean; linkedModel: string | null }): Promise<Media> {
    if (!file) throw new InvalidInput('File not found');
    try {
      const row = await this.repo.insert({
        uuid: file.uuid,
        store: this.store.kind,
        filename: file.filename,
        contentType: file.contentType,
        modelType: options.linkedModel,
        modelId: null,
        disposition: options.inline ? 'inline' : 'attachment',
        size: file.size,
        meta: file.meta,
      });
      return toMedia(row, this.signer.url(row.uuid));
    } catch (err) {
      await this.removeFile(file.uuid);
      throw err;
    }
  }

  /**
   * Stores the bytes, then the row; the file is removed again if the row cannot be written. With a
   * manager the row joins the caller's transaction, and the caller removes the file on rollback
   * ({@link discard}).
   */
  async create(input: NewMedia, manager?: EntityManager): Promise<MediaRow> {
    const filename = sanitizeFilename(input.file.filename);
    const contentType = await this.contentTypeOf(input.file);
    const meta = await this.imageMeta(filename, input.file.content);
    const uuid = randomUUID();
    await this.store.put(uuid, input.file.content, contentType);
    try {
      return await this.repo.insert(
        {
          uuid,
          store: this.store.kind,
          filename,
          contentType,
          modelType: input.modelType,
          modelId: input.modelId ?? null,
          disposition: input.disposition,
          size: input.file.content.length,
          meta,
        },
        manager,
      );
    } catch (err) {
      await this.removeFile(uuid);
      throw err;
    }
  }

  async findByIds(ids: number[], manager?: EntityManager): Promise<Media[]> {
    if (ids.length === 0) return [];
    return (await this.repo.findByIds(ids, manager)).map((row) => toMedia(row, this.signer.url(row.uuid)));
  }

  /** Links uploads to a message; unknown ids are a 400 naming them. Runs only on `manager`. */
  async attachToMessage(manager: EntityManager, mediaIds: number[], messageId: number): Promise<void> {
    const ids = [...new Set(mediaIds)];
    if (ids.length === 0) return;
    const found = new Set((await this.repo.findByIds(ids, manager)).map((r) => r.id));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length)
      throw new InvalidInput(`Attachment not found: ${unknown.join(', ')}`, { fields: { attachments: `unknown media id ${unknown.join(', ')}` } });
    await this.repo.linkUnlinked(ids, 'messages', messageId, manager);
  }

  /** Attachments per message id, each list ordered by file name. */
  async attachmentsForMessages(messageIds: number[], manager?: EntityManager): Promise<Map<number, MessageAttachment[]>> {
    const result = new Map<number, MessageAttachment[]>();
    if (messageIds.length === 0) return result;
    for (const row of await this.repo.findForModels('messages', [...new Set(messageIds)], manager)) {
      const list = result.get(row.model_id!) ?? [];
      list.push(toMessageAttachment(row, this.signer.url(row.uuid)));
      result.set(row.model_id!, list);
    }
    return result;
  }

  /** The whole file, e.g. to attach it to an outgoing email. */
  async readContent(uuid: string): Promise<Buffer> {
    const object = await this.store.open(uuid);
    if (!object) throw new NotFound(`Media ${uuid} not found`);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  async findRowByUuid(uuid: string): Promise<MediaRow | null> {
    return this.repo.findByUuid(uuid);
  }

  /** Bytes and headers for GET /uploads/:uuid, or where to fetch them when the store hands out URLs (S3). */
  async download(uuid: string): Promise<MediaDownload> {
    const row = await this.repo.findByUuid(uuid);
    if (!row) throw new NotFound('Media not found');
    const disposition = INLINE_TYPES.test(row.content_type) ? 'inline' : 'attachment';
    const direct = await this.store.directDownload(row.uuid, {
      filename: row.filename,
      contentType: row.content_type,
      disposition,
      expiresInSeconds: PRESIGNED_URL_SECONDS,
    });
    if (direct === 'missing') throw new NotFound('Media not found');
    if (direct !== 'unsupported') return { redirect: direct.url };
    const object = await this.store.open(row.uuid);
    if (!object) throw new NotFound('Media not found');
    return { filename: row.filename, contentType: row.content_type, disposition, size: object.size ?? row.size, body: object.body };
  }

  /** Deletes a media row and its file; with `owner`, only if the media belongs to it (an avatar to its user). */
  async remove(uuid: string, owner: MediaOwner | null = null): Promise<boolean> {
    const row = await this.repo.deleteByUuid(uuid, owner);
    if (!row) return false;
    await this.removeFile(row.uuid);
    return true;
  }

  /**
   * Deletes the media rows of these models in the caller's transaction and returns them: once that
   * commits, pass each to `discard` to remove its file (a rollback keeps rows and files).
   */
  async deleteRowsOf(manager: EntityManager, modelType: string, modelIds: number[]): Promise<MediaRow[]> {
    if (modelIds.length === 0) return [];
    return this.repo.deleteForModels(modelType, [...new Set(modelIds)], manager);
  }

  /** Removes a stored file whose row was rolled back with (or deleted by) the caller's transaction. */
  async discard(row: Pick<MediaRow, 'uuid'>): Promise<void> {
    await this.removeFile(row.uuid);
  }

  private async removeFile(uuid: string): Promise<void> {
    try {
      await this.store.remove(uuid);
    } catch (err) {
      this.logger.warn(`could not remove stored media ${uuid}: ${(err as Error).message}`);
    }
  }

  private extensionAllowed(filename: string): boolean {
    const allowed = this.config.MEDIA_ALLOWED_EXTENSIONS.split(',')
      .map((e) => e.trim().replace(/^\./, '').toLowerCase())
      .filter(Boolean);
    return allowed.includes('*') || allowed.includes(extensionOf(filename));
  }

  private async contentTypeOf(file: IncomingFile): Promise<string> {
    return this.declaredType(file.contentType) ?? (await fileTypeFromBuffer(file.content))?.mime ?? 'application/octet-stream';
  }

  /** The client's media type, unless it is missing, generic or malformed. */
  private declaredType(contentType: string | undefined): string | null {
    const declared = (contentType ?? '').split(';')[0].trim().toLowerCase();
    return !UNTRUSTED_TYPES.has(declared) && /^[\w.+-]+\/[\w.+-]+$/.test(declared) ? declared : null;
  }

  /** Whether the bytes are a png, jpeg or gif (by their magic bytes, not by any name or header). */
  async isImage(content: Buffer): Promise<boolean> {
    const sniffed = await fileTypeFromBuffer(content);
    return !!sniffed && IMAGE_MAGIC.has(sniffed.mime);
  }

  private async imageMeta(filename: string, content: Buffer): Promise<Record<string, unknown>> {
    if (!IMAGE_EXTENSIONS.has(extensionOf(filename)) || !(await this.isImage(content))) return {};
    return dimensionsOf(content);
  }
}

function dimensionsOf(content: Buffer): Record<string, unknown> {
  try {
    const { width, height } = imageSize(content);
    return { width, height };
  } catch {
    return {};
  }
}
