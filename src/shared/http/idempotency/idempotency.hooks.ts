import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isErrorEnvelope } from '../envelope.js';
import { IDEMPOTENCY_STATE, type PendingIdempotentRequest } from './idempotency.guard.js';

const pendingOf = (request: FastifyRequest) => (request as unknown as { [IDEMPOTENCY_STATE]?: PendingIdempotentRequest })[IDEMPOTENCY_STATE];

/**
 * Hands the response of a request holding an idempotency lock (see IdempotencyGuard) to that lock,
 * before it is written: a handler's enveloped result when it is about to be serialized, any other
 * response (the exception filter's) when it is sent.
 */
export function registerIdempotencyHooks(fastify: FastifyInstance): void {
  // Callback-style: a response without a pending lock (nearly all) passes without a promise.
  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    const pending = pendingOf(request);
    if (!pending || pending.settled || isErrorEnvelope(payload)) return done(null, payload);
    pending.succeeded(payload).then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const pending = pendingOf(request);
    if (!pending || pending.settled) return done(null, payload);
    const header = (name: string) => {
      const value = reply.getHeader(name);
      return value === undefined ? undefined : String(value);
    };
    pending.responded(reply.statusCode, header('content-type'), header('retry-after'), payload).then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
}
