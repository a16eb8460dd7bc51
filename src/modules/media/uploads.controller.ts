import { Controller, Get, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SignedOrAuthenticated } from '../../shared/auth/decorators.js';
import { RawResponse } from '../../shared/http/envelope.js';
import { UuidParam } from '../../shared/http/params.js';
import { MediaService } from './media.service.js';
import { MediaUrlSigner } from './media-url-signer.js';

const INLINE_TYPES = /^(image\/(?!svg)[\w.+-]+|video\/[\w.+-]+|application\/pdf)$/i;

/** Serves uploaded files, to a signed URL or to API credentials (the global guard checks either). */
@ApiTags('Media')
@Controller('uploads')
export class UploadsController {
  constructor(private readonly media: MediaService) {}

  @Get(':uuid')
  @SignedOrAuthenticated(MediaUrlSigner)
  @RawResponse()
  @ApiOperation({ operationId: 'serveUpload', summary: 'Download an uploaded file (signed URL or API credentials)' })
  @ApiQuery({ name: 'exp', required: false, description: 'Expiry of a signed URL (unix seconds)' })
  @ApiQuery({ name: 'sig', required: false, description: 'Signature of a signed URL' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file, with its stored content type', schema: { type: 'string', format: 'binary' } })
  @ApiUnauthorizedResponse({ description: 'No valid signature and no valid credentials' })
  async serve(@UuidParam('uuid') uuid: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const file = await this.media.download(uuid);
    const inline = INLINE_TYPES.test(file.contentType);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'private, max-age=300');
    return new StreamableFile(file.body, {
      type: file.contentType,
      length: file.size,
      disposition: `${inline ? 'inline' : 'attachment'}; filename="${file.filename}"`,
    });
  }
}
