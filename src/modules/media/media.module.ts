import { Module } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { MediaController } from './media.controller.js';
import { MediaMultipartModule } from './media-multipart.js';
import { MediaRepository } from './media.repository.js';
import { MediaService } from './media.service.js';
import { MediaUrlSigner } from './media-url-signer.js';
import { LocalMediaStore } from './storage/local-media-store.js';
import { MediaStore } from './storage/media-store.js';
import { UploadsController } from './uploads.controller.js';

/** Importers also get the upload limits for their own file interceptors. */
@Module({
  imports: [MediaMultipartModule],
  controllers: [MediaController, UploadsController],
  providers: [
    MediaService,
    MediaRepository,
    MediaUrlSigner,
    {
      provide: MediaStore,
      inject: [AppConfig],
      // The AWS SDK (~18 MB resident) is loaded only when S3 is configured.
      useFactory: async (config: AppConfig): Promise<MediaStore> =>
        config.MEDIA_STORE === 's3' ? new (await import('./storage/s3-media-store.js')).S3MediaStore(config) : new LocalMediaStore(config.DATA_DIR),
    },
  ],
  exports: [MediaService, MediaMultipartModule],
})
export class MediaModule {}
