import { randomUUID } from 'node:crypto';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { EnvironmentVariables } from '../config/app-config.js';
import { clientErrorHandler, connectHandler, frameworkErrors, unknownRouteHook } from './framework-errors.js';
import { envelopeFor, isRawRoute } from './envelope.js';
import { JsonTooDeep, jsonDepthExceeds } from './json-depth.js';
import { registerConditionalHooks } from './conditional.js';
import { registerIdempotencyHooks } from './idempotency/idempotency.hooks.js';
import { closeGracefully, registerEarlyBodyLimit } from './oversize.js';
import { trustProxySetting } from './security.js';

/**
 * Nest hands every handler's result (and the exception filter its error envelope) to `reply()`: the
 * success envelope is applied here, once, rather than by a global interceptor, which would run every
 * route through an rxjs pipeline. A @RawResponse() route's result is sent as it is.
 */
export class AppFastifyAdapter extends FastifyAdapter {
  override reply(response: Parameters<FastifyAdapter['reply']>[0], body: unknown, statusCode?: number): ReturnType<FastifyAdapter['reply']> {
    // A raw Node response (no Fastify reply yet) only ever carries the exception filter's envelope.
    const raw = isRawRoute((response as Partial<FastifyReply>).request?.routeOptions.config as Record<string, unknown> | undefined);
    return super.reply(response, raw ? body : envelopeFor(body), statusCode);
  }
}

/**
 * The Fastify adapter with the server's limits: a JSON body limit (413 above it), request ids that
 * honour a sane incoming `X-Request-Id`, and an empty JSON body read as "no body" rather than an error.
 */
export function createFastifyAdapter(
  config: Pick<EnvironmentVariables, 'BODY_LIMIT_BYTES'> & Partial<Pick<EnvironmentVariables, 'TRUST_PROXY'>>,
): AppFastifyAdapter {
  const adapter = new AppFastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxySetting(config.TRUST_PROXY ?? 'false'),
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  const jsonParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    // Fastify's default JSON parser answers through the callback and returns nothing.
    void jsonParser(request, text, (err, value) => {
      if (err) return done(err);
      if (jsonDepthExceeds(value)) return done(new JsonTooDeep());
      done(null, value);
    });
  });
  fastify.addHook('preParsing', unknownRouteHook);
  fastify.server.on('connect', connectHandler);
  registerEarlyBodyLimit(fastify.server, config.BODY_LIMIT_BYTES);
  // The onSend hooks here are callback-style, not async: an async hook costs a promise and a
  // microtask turn on every response.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    // Answered before the body was read (over the limit): let the client read the 413 before the close.
    if (reply.statusCode === 413 && !request.raw.complete) closeGracefully(request.raw);
    // Libredesk answers every success with 200, creates included (Nest would default POST to 201).
    if (reply.statusCode === 201) reply.code(200);
    done(null, payload);
  });
  registerIdempotencyHooks(fastify);
  registerConditionalHooks(fastify);
  return adapter;
}
