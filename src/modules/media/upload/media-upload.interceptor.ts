import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FileInterceptor, type MultipartStorageEngine, type UploadedMultipartFile } from '@nestjs/platform-fastify/multipart';
import type { Observable } from 'rxjs';
import { AppConfig } from '../../../shared/config/app-config.js';
import { MediaService, type StoredUpload } from '../media.service.js';
import { mediaMultipartOptions } from '../media-multipart.js';

/** The file `@UploadedFile()` hands POST /media: already in the store. */
export type ReceivedUpload = UploadedMultipartFile & { stored: StoredUpload };

/**
 * Nest's FileInterceptor for the `files` field, with a storage engine that streams the file into the
 * media store as it arrives instead of holding it in memory. The interceptor keeps its multer
 * semantics: a file over the limit is truncated by the parser, then removed (`_removeFile`) and
 * answered with a 413; a cut-off or malformed body removes what was stored.
 */
@Injectable()
export class MediaUploadInterceptor implements NestInterceptor, OnModuleInit {
  private readonly inner: NestInterceptor & OnModuleInit;

  constructor(media: MediaService, config: AppConfig, adapterHost: HttpAdapterHost) {
    const storage: MultipartStorageEngine = {
      _handleFile(_req, file, callback) {
        media.receive({ filename: file.originalname, contentType: file.mimetype, stream: file.stream }).then(
          (stored) => callback(null, { size: stored.size, stored } as Partial<ReceivedUpload>),
          (err: unknown) => callback(err),
        );
      },
      _removeFile(_req, file, callback) {
        const stored = (file as Partial<ReceivedUpload>).stored;
        delete (file as Partial<ReceivedUpload>).stored;
        if (!stored) return callback(null);
        media.discard(stored).then(
          () => callback(null),
          (err: Error) => callback(err),
        );
      },
    };
    const Inner = FileInterceptor('files', { ...mediaMultipartOptions(config), storage }) as unknown as new (
      moduleOptions: undefined,
      adapterHost: HttpAdapterHost,
    ) => NestInterceptor & OnModuleInit;
    this.inner = new Inner(undefined, adapterHost);
  }

  onModuleInit(): void {
    this.inner.onModuleInit();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    return this.inner.intercept(context, next);
  }
}
