import type { FastifyInstance } from 'fastify';
import { routePattern } from '../logging/access-log.js';
import type { MetricsService } from './metrics.service.js';

/** Feeds every answered request into the HTTP histogram and the 429 / idempotent-replay counters. */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeResponse({
      method: request.method,
      route: routePattern(request),
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
      replayed: reply.getHeader('idempotent-replayed') === 'true',
    });
    done();
  });
}
