import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SignedOrAuthenticated } from '../../shared/auth/decorators.js';
import { RawResponse } from '../../shared/http/envelope.js';
import { UuidParam } from '../../shared/http/params.js';
import { MediaService } from './media.service.js';
import { MediaUrlSigner } from './media-url-signer.js';

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
  @ApiFoundResponse({ description: 'With the S3 store: the file is at the presigned URL in `Location`' })
  @ApiUnauthorizedResponse({ description: 'No valid signature and no valid credentials' })
  async serve(@UuidParam('uuid') uuid: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const file = await this.media.download(uuid);
    reply.header('Cache-Control', 'private, max-age=300');
    if ('redirect' in file) return reply.redirect(file.redirect, 302);
    return reply
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Type', file.contentType)
      .header('Content-Length', file.size)
      .header('Content-Disposition', `${file.disposition}; filename="${file.filename}"`)
      .send(file.body);
  }
}
