import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_STATE, type PendingIdempotentRequest } from './idempotency.interceptor.js';

/** Hands the rendered response of a request holding an idempotency lock to that lock (see the interceptor). */
export function registerIdempotencyHooks(fastify: FastifyInstance): void {
  // Callback-style: a response without a pending lock (nearly all) passes without a promise.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const pending = (request as unknown as { [IDEMPOTENCY_STATE]?: PendingIdempotentRequest })[IDEMPOTENCY_STATE];
    if (!pending || pending.settled) return done(null, payload);
    const header = (name: string) => {
      const value = reply.getHeader(name);
      return value === undefined ? undefined : String(value);
    };
    pending.errorResponse(reply.statusCode, header('content-type'), header('retry-after'), payload).then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
}
