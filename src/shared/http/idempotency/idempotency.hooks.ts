import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_STATE, type PendingIdempotentRequest } from './idempotency.interceptor.js';

/** Hands the rendered response of a request holding an idempotency lock to that lock (see the interceptor). */
export function registerIdempotencyHooks(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const pending = (request as unknown as { [IDEMPOTENCY_STATE]?: PendingIdempotentRequest })[IDEMPOTENCY_STATE];
    if (pending && !pending.settled) {
      const header = (name: string) => {
        const value = reply.getHeader(name);
        return value === undefined ? undefined : String(value);
      };
      await pending.errorResponse(reply.statusCode, header('content-type'), header('retry-after'), payload);
    }
    return payload;
  });
}
