import { MultipartModule, type MultipartOptions } from '@nestjs/platform-fastify/multipart';
import { AppConfig } from '../../shared/config/app-config.js';

/** The limits of every media upload: anything larger than the media size limit is a 413. */
export function mediaMultipartOptions(config: AppConfig): MultipartOptions {
  return {
    defParamCharset: 'utf8',
    limits: {
      fileSize: config.MEDIA_MAX_FILE_SIZE_MB * 1024 * 1024,
      files: 1,
      fields: 30,
      parts: 32,
      fieldSize: 64 * 1024,
    },
  };
}

/**
 * Upload limits for every file interceptor in a module that imports this (files held in memory, such
 * as avatars). POST /media streams instead: see MediaUploadInterceptor.
 */
export const MediaMultipartModule = MultipartModule.registerAsync({
  inject: [AppConfig],
  useFactory: mediaMultipartOptions,
});
