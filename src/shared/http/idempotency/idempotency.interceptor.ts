import type { ServerResponse } from 'node:http';
import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, Observable, of } from 'rxjs';
import type { Principal } from '../../auth/principal.js';
import { AppError, Conflict } from '../errors.js';
import { parseIdempotencyKey, REPLAYED_HEADER, requestFingerprint } from './idempotency-key.js';
import { IdempotencyService, type IdempotencyLock, type StoredResponse } from './idempotency.service.js';

/** Set on the request while it holds an idempotency lock; read by the `onSend` hook. */
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
 * A success is recorded as soon as the handler returns (even if the client has gone, which is when
 * it matters most); an error response is recorded by the `onSend` hook once the exception filter
 * has rendered it: a 4xx is replayed like a success, a 5xx releases the key so a retry does the work.
 */
export class PendingIdempotentRequest {
  settled = false;
  private readonly finished: Promise<void>;

  constructor(
    private readonly service: IdempotencyService,
    private readonly lock: IdempotencyLock,
    response: ServerResponse,
  ) {
    this.finished = new Promise((resolve) => response.once('close', () => resolve()));
  }

  async run(work: Observable<unknown>): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(work, { defaultValue: undefined });
    } catch (err) {
      void this.releaseIfUnanswered();
      throw err;
    }
    if (isJsonValue(body)) {
      await this.settle(() => this.service.complete(this.lock, { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) }));
    } else {
      await this.settle(() => this.service.release(this.lock));
    }
    return body;
  }

  /** The response the exception filter rendered for this request. */
  async errorResponse(status: number, contentType: string | undefined, retryAfter: string | undefined, payload: unknown): Promise<void> {
    if (this.settled) return;
    if (status >= 500 || typeof payload !== 'string') {
      await this.settle(() => this.service.release(this.lock));
      return;
    }
    const headers: Record<string, string> = { 'content-type': contentType ?? JSON_TYPE };
    if (retryAfter) headers['retry-after'] = retryAfter;
    await this.settle(() => this.service.complete(this.lock, { status, headers, body: payload }));
  }

  /** The handler failed: if no response was recorded by the time the exchange ends (client gone), let the key go. */
  private async releaseIfUnanswered(): Promise<void> {
    await this.finished;
    if (!this.settled) await this.settle(() => this.service.release(this.lock));
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

function replay(stored: StoredResponse): Response {
  return new Response(stored.body, { status: stored.status, headers: { ...stored.headers, [REPLAYED_HEADER]: 'true' } });
}

/**
 * `Idempotency-Key` on POST: the first response to a key is replayed for the same request within
 * 24 hours; a different request with the key is 422; while the first is running, 409. Registered
 * before the envelope interceptor, so it sees (and stores) the enveloped body.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly service: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (request.method !== 'POST') return next.handle();
    const key = parseIdempotencyKey(request.headers);
    if (key === undefined || !request.user) return next.handle();

    const fingerprint = requestFingerprint(request);
    const path = request.url.split('?')[0];
    const result = await this.service.acquire({ userId: request.user.id, key, fingerprint, method: request.method, path });
    switch (result.kind) {
      case 'mismatch':
        throw new AppError(422, 'InputException', 'This Idempotency-Key was already used with a different request');
      case 'in-flight':
        throw new Conflict('A request with this Idempotency-Key is still in progress; retry later');
      case 'replay':
        return of(replay(result.response));
    }
    const reply = context.switchToHttp().getResponse<{ raw: ServerResponse }>();
    const pending = new PendingIdempotentRequest(this.service, result.lock, reply.raw);
    request[IDEMPOTENCY_STATE] = pending;
    return from(pending.run(next.handle()));
  }
}
