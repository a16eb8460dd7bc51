import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { AppError, Conflict } from '../errors.js';
import { parseIdempotencyKey, REPLAYED_HEADER, requestFingerprint } from './idempotency-key.js';
import { IdempotencyService, type IdempotencyLock, type StoredResponse } from './idempotency.service.js';

/** Set on the request while it holds an idempotency lock; read by the Fastify hooks (idempotency.hooks.ts). */
export const IDEMPOTENCY_STATE = Symbol('idempotency');

const JSON_TYPE = 'application/json; charset=utf-8';
const logger = new Logger('Idempotency');

interface HttpRequest {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
  [IDEMPOTENCY_STATE]?: PendingIdempotentRequest;
}

/**
 * One request holding the lock on its key, until its response is recorded or the key is released.
 * Both happen in the Fastify hooks before the response is written: a success as soon as the handler's
 * result is enveloped (even if the client has gone, which is when it matters most), an error response
 * once the exception filter has rendered it. A 4xx is replayed like a success, a 5xx (or a body that
 * cannot be stored) releases the key so a retry does the work.
 */
export class PendingIdempotentRequest {
  settled = false;

  constructor(
    private readonly service: IdempotencyService,
    private readonly lock: IdempotencyLock,
  ) {}

  /** The handler's result, enveloped, as it is about to be serialized (Fastify serializes with JSON.stringify). */
  async succeeded(body: unknown): Promise<void> {
    if (this.settled) return;
    if (isJsonValue(body)) {
      await this.settle(() => this.service.complete(this.lock, { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) }));
    } else {
      await this.settle(() => this.service.release(this.lock));
    }
  }

  /** A response that did not come from `succeeded` (the exception filter's, or a body that is not JSON), as it is sent. */
  async responded(status: number, contentType: string | undefined, retryAfter: string | undefined, payload: unknown): Promise<void> {
    if (this.settled) return;
    if (status >= 500 || typeof payload !== 'string') {
      await this.settle(() => this.service.release(this.lock));
      return;
    }
    const headers: Record<string, string> = { 'content-type': contentType ?? JSON_TYPE };
    if (retryAfter) headers['retry-after'] = retryAfter;
    await this.settle(() => this.service.complete(this.lock, { status, headers, body: payload }));
  }

  private async settle(action: () => Promise<unknown>): Promise<void> {
    this.settled = true;
    try {
      await action();
    } catch (err) {
      // The key stays locked; a retry takes it over once the lock times out.
      logger.warn(`Could not record the outcome for idempotency key #${this.lock.id}: ${(err as Error).message}`);
    }
  }
}

const isJsonValue = (v: unknown): boolean =>
  v === null ||
  ['string', 'number', 'boolean'].includes(typeof v) ||
  Array.isArray(v) ||
  (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype);

/** Thrown instead of running the handler when a request repeats a completed one; the exception filter sends the stored response. */
export class IdempotentReplay extends Error {
  constructor(private readonly stored: StoredResponse) {
    super('Idempotent replay');
  }

  toResponse(): Response {
    return new Response(this.stored.body, { status: this.stored.status, headers: { ...this.stored.headers, [REPLAYED_HEADER]: 'true' } });
  }
}

/**
 * `Idempotency-Key` on POST: the first response to a key is replayed for the same request within
 * 24 hours; a different request with the key is 422; while the first is running, 409. A global guard
 * registered after the authentication guard (keys are scoped per agent), so that a request without
 * the header costs one header lookup and no interceptor; the response is recorded by the Fastify
 * hooks (idempotency.hooks.ts), after the success envelope is applied.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  constructor(private readonly service: IdempotencyService) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (request.method !== 'POST') return true;
    const key = parseIdempotencyKey(request.headers);
    if (key === undefined || !request.user) return true;
    return this.lock(request, request.user, key);
  }

  private async lock(request: HttpRequest, user: Principal, key: string): Promise<boolean> {
    const fingerprint = requestFingerprint(request);
    const path = request.url.split('?')[0];
    const result = await this.service.acquire({ userId: user.id, key, fingerprint, method: request.method, path });
    switch (result.kind) {
      case 'mismatch':
        throw new AppError(422, 'InputException', 'This Idempotency-Key was already used with a different request');
      case 'in-flight':
        throw new Conflict('A request with this Idempotency-Key is still in progress; retry later');
      case 'replay':
        throw new IdempotentReplay(result.response);
    }
    request[IDEMPOTENCY_STATE] = new PendingIdempotentRequest(this.service, result.lock);
    return true;
  }
}
