import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators.js';
import { AppConfig } from '../config/app-config.js';
import { RawResponse } from '../http/envelope.js';
import { AppError, NotFound } from '../http/errors.js';
import { MetricsService } from './metrics.service.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Prometheus scrape endpoint (README: Metrics). Operational, so outside the API document and the
 * per-key rate limits; public unless METRICS_TOKEN is set, then `Authorization: Bearer <token>`.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @RawResponse()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (!this.config.METRICS_ENABLED) throw new NotFound('Route not found');
    const token = this.config.METRICS_TOKEN;
    if (token !== undefined) {
      const given = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), digest(token))) {
        throw new AppError(401, 'UnauthorizedException', given === undefined ? 'Metrics need `Authorization: Bearer <token>`' : 'Invalid metrics token', null, {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        });
      }
    }
    const { contentType, body } = await this.metrics.exposition();
    return reply.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
  }
}
