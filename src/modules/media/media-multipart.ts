import { MultipartModule } from '@nestjs/platform-fastify/multipart';
import { AppConfig } from '../../shared/config/app-config.js';

/**
 * Upload limits for every file interceptor in a module that imports this: files are held in memory
 * up to the media size limit, and anything larger is a 413 before it reaches a handler.
 */
export const MediaMultipartModule = MultipartModule.registerAsync({
  inject: [AppConfig],
  useFactory: (config: AppConfig) => ({
    defParamCharset: 'utf8',
    limits: {
      fileSize: config.MEDIA_MAX_FILE_SIZE_MB * 1024 * 1024,
      files: 1,
      fields: 30,
      parts: 32,
      fieldSize: 64 * 1024,
    },
  }),
});
