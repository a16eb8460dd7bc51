import { Body, Controller, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../shared/auth/decorators.js';
import { UploadMediaDto } from './dto/upload-media.dto.js';
import { MediaService } from './media.service.js';
import { MediaUploadInterceptor, type ReceivedUpload } from './upload/media-upload.interceptor.js';

@ApiTags('Media')
@Controller('api/v1/media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Post()
  @Authenticated()
  @ApiOperation({ operationId: 'handleMediaUpload' })
  @UseInterceptors(MediaUploadInterceptor)
  upload(@UploadedFile() file: ReceivedUpload | undefined, @Body() fields: UploadMediaDto) {
    return this.media.upload(file?.stored ?? null, {
      inline: String(fields.inline) === 'true',
      linkedModel: fields.linked_model?.trim() || null,
    });
  }
}
