import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../shared/config/app-config.js';
import { InvalidInput, NotFound, PayloadTooLarge } from '../../shared/http/errors.js';
import { extensionOf, sanitizeFilename } from './filename.js';
import { type Media, type MediaRow, type MessageAttachment, toMedia, toMessageAttachment } from './media.mapper.js';
import { type MediaOwner, MediaRepository } from './media.repository.js';
import { MediaUrlSigner } from './media-url-signer.js';
import { MediaStore } from './storage/media-store.js';

export interface IncomingFile {
  filename: string | undefined;
  contentType: string | undefined;
  content: Buffer;
}

export interface NewMedia {
  file: IncomingFile;
  disposition: 'inline' | 'attachment' | null;
  modelType: string | null;
  modelId?: number | null;
}

export interface MediaDownload {
  filename: string;
  contentType: string;
  size: number;
  body: Readable;
}

const UNTRUSTED_TYPES = new Set(['', 'application/octet-stream', 'application/data', 'application/binary']);
const IMAGE_EXTENSIONS = new Set(['gif', 'png', 'jpg', 'jpeg']);
const IMAGE_MAGIC = new Set(['image/png', 'image/jpeg', 'image/gif']);
const MIB = 1024 * 1024;

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

  get maxFileSizeBytes(): number {
    return this.config.MEDIA_MAX_FILE_SIZE_MB * MIB;
  }

  /** POST /media: size and type checks, then {@link create}. */
  async upload(file: IncomingFile | null, options: { inline: boolean; linkedModel: string | null }): Promise<Media> {
    if (!file) throw new InvalidInput('File not found');
    if (file.content.length === 0) throw new InvalidInput('This file is 0 bytes, so it will not be attached.');
    if (file.content.length > this.maxFileSizeBytes) {
      throw new PayloadTooLarge(`File size too large, please upload a file less than ${this.config.MEDIA_MAX_FILE_SIZE_MB}MB`);
    }
    if (!this.extensionAllowed(sanitizeFilename(file.filename))) throw new InvalidInput('File type not allowed');
    const row = await this.create({ file, disposition: options.inline ? 'inline' : 'attachment', modelType: options.linkedModel });
    return toMedia(row, this.signer.url(row.uuid));
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

  /** Bytes and headers for GET /uploads/:uuid. */
  async download(uuid: string): Promise<MediaDownload> {
    const row = await this.repo.findByUuid(uuid);
    if (!row) throw new NotFound('Media not found');
    const object = await this.store.open(row.uuid);
    if (!object) throw new NotFound('Media not found');
    return { filename: row.filename, contentType: row.content_type, size: object.size ?? row.size, body: object.body };
  }

  /** Deletes a media row and its file; with `owner`, only if the media belongs to it (an avatar to its user). */
  async remove(uuid: string, owner: MediaOwner | null = null): Promise<boolean> {
    const row = await this.repo.deleteByUuid(uuid, owner);
    if (!row) return false;
    await this.removeFile(row.uuid);
    return true;
  }

  /** Removes a stored file whose row was rolled back with the caller's transaction. */
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
    const declared = (file.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!UNTRUSTED_TYPES.has(declared) && /^[\w.+-]+\/[\w.+-]+$/.test(declared)) return declared;
    return (await fileTypeFromBuffer(file.content))?.mime ?? 'application/octet-stream';
  }

  /** Whether the bytes are a png, jpeg or gif (by their magic bytes, not by any name or header). */
  async isImage(content: Buffer): Promise<boolean> {
    const sniffed = await fileTypeFromBuffer(content);
    return !!sniffed && IMAGE_MAGIC.has(sniffed.mime);
  }

  private async imageMeta(filename: string, content: Buffer): Promise<Record<string, unknown>> {
    if (!IMAGE_EXTENSIONS.has(extensionOf(filename)) || !(await this.isImage(content))) return {};
    try {
      const { width, height } = imageSize(content);
      return { width, height };
    } catch {
      return {};
    }
  }
}
