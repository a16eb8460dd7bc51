import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactUrl } from '../http/security.js';

/** The route pattern a request matched (`/api/v1/conversations/:uuid`), or `unmatched` for a 404 without a route. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** Bytes of the response body, when the response declared them (streamed downloads may not). */
export function responseBytes(reply: FastifyReply): number | undefined {
  const length = reply.getHeader('content-length') ?? reply.raw.getHeader('content-length');
  const n = Number(length);
  return length === undefined || !Number.isFinite(n) ? undefined : n;
}

/**
 * One line per request once its response is sent: method, route pattern, URL with secret query
 * values hidden, status, duration, request id, the authenticated agent and the body size. Headers
 * and bodies are never logged.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: Logger): void {
  const log = logger.child({ context: 'HTTP' });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // Below the configured level (LOG_LEVEL=warn) the line is not even built.
    if (!log.isLevelEnabled(status >= 500 ? 'warn' : 'info')) return done();
    const line = {
      request_id: request.id,
      method: request.method,
      route: routePattern(request),
      url: redactUrl(request.url),
      status,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      agent_id: (request as { user?: { id?: number } }).user?.id ?? null,
      bytes: responseBytes(reply) ?? null,
    };
    if (status >= 500) log.warn(line, 'request failed');
    else log.info(line, 'request completed');
    done();
  });
}
