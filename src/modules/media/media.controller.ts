import { Body, Controller, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor, type UploadedMultipartFile } from '@nestjs/platform-fastify/multipart';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../shared/auth/decorators.js';
import { UploadMediaDto } from './dto/upload-media.dto.js';
import { MediaService } from './media.service.js';

@ApiTags('Media')
@Controller('api/v1/media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Post()
  @Authenticated()
  @ApiOperation({ operationId: 'handleMediaUpload' })
  @UseInterceptors(FileInterceptor('files'))
  upload(@UploadedFile() file: UploadedMultipartFile | undefined, @Body() fields: UploadMediaDto) {
    return this.media.upload(file?.buffer ? { filename: file.originalname, contentType: file.mimetype, content: file.buffer } : null, {
      inline: String(fields.inline) === 'true',
      linkedModel: fields.linked_model?.trim() || null,
    });
  }
}
