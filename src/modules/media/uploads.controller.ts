import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CredentialsService } from '../../shared/auth/credentials.service.js';
import { Public } from '../../shared/auth/decorators.js';
import { parseTokenHeader } from '../../shared/auth/strategies.js';
import { RawResponse } from '../../shared/http/envelope.js';
import { Unauthorized } from '../../shared/http/errors.js';
import { UuidParam } from '../../shared/http/params.js';
import { MediaService } from './media.service.js';
import { MediaUrlSigner } from './media-url-signer.js';

function parseAuthorization(header: string | undefined): { apiKey: string; apiSecret: string } | null {
  const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? { apiKey: decoded.slice(0, colon), apiSecret: decoded.slice(colon + 1) } : null;
  }
  return parseTokenHeader(header);
}

/**
 * Serves uploaded files. The route is public for the guard so a signed URL works without an
 * `Authorization` header; without a valid signature, API credentials are checked here instead.
 */
@ApiTags('Media')
@Controller('uploads')
export class UploadsController {
  constructor(
    private readonly media: MediaService,
    private readonly signer: MediaUrlSigner,
    private readonly credentials: CredentialsService,
  ) {}

  @Get(':uuid')
  @Public()
  @RawResponse()
  @ApiOperation({ operationId: 'serveUpload', summary: 'Download an uploaded file (signed URL or API credentials)' })
  @ApiQuery({ name: 'exp', required: false, description: 'Expiry of a signed URL (unix seconds)' })
  @ApiQuery({ name: 'sig', required: false, description: 'Signature of a signed URL' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file, with its stored content type', schema: { type: 'string', format: 'binary' } })
  @ApiFoundResponse({ description: 'With the S3 store: the file is at the presigned URL in `Location`' })
  @ApiUnauthorizedResponse({ description: 'No valid signature and no valid credentials' })
  async serve(
    @UuidParam('uuid') uuid: string,
    @Query('exp') exp: unknown,
    @Query('sig') sig: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const signature = this.signer.check(uuid, exp, sig);
    if (signature !== 'valid') {
      const credentials = parseAuthorization(authorization);
      const principal = credentials ? await this.credentials.authenticate(credentials.apiKey, credentials.apiSecret) : null;
      if (!principal) {
        if (signature === 'expired') throw new Unauthorized('This link has expired');
        if (signature === 'invalid') throw new Unauthorized('Invalid signature');
        throw new Unauthorized(authorization ? 'Invalid API key or secret' : 'Authentication required');
      }
    }
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
