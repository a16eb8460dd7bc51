import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../../config/app-config.js';
import { AppError } from '../errors.js';
import { RateLimitStore, type WindowCount } from './rate-limit.store.js';

export class RateLimited extends AppError {
  constructor(message: string, headers: Record<string, string>) {
    super(429, 'RateLimitException', message, null, headers);
  }
}

/** Where the limit headers go: the Fastify reply. */
export interface HeaderSink {
  header(name: string, value: string): unknown;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Limits, in one window of `RATE_LIMIT_WINDOW_SECONDS`: requests per API key
 * (`RATE_LIMIT_PER_MINUTE`) and failed authentications per client address
 * (`AUTH_FAILURE_LIMIT_PER_MINUTE`). Both counters live in Postgres, so every instance shares them.
 *
 * An authenticated request costs one statement: it counts the key's request and reads the address's
 * failure counter at once. An address over its failure budget is also remembered in memory, so it is
 * refused before its credentials are even read, without a database call.
 */
@Injectable()
export class RateLimitService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimitService.name);
  /** Client address -> epoch ms until which it is refused. */
  private readonly blockedAddresses = new LRUCache<string, number>({ max: 50_000 });
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly store: RateLimitStore,
  ) {}

  get enabled(): boolean {
    return this.config.RATE_LIMIT_ENABLED;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Before credentials are read: 429 for an address known to be over its failed-authentication budget. */
  assertAddressAllowed(address: string): void {
    if (!this.enabled) return;
    const until = this.blockedAddresses.get(address);
    if (until === undefined) return;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedAddresses.delete(address);
      return;
    }
    throw this.tooManyFailures({ hits: this.config.AUTH_FAILURE_LIMIT_PER_MINUTE, resetSeconds: Math.ceil(left / 1000) });
  }

  /**
   * After credentials were rejected (a 401): counts the failure against the address. Returns what to
   * answer with: the rejection itself, or a 429 once the address is past its budget.
   */
  async recordAuthFailure(address: string, rejection: unknown): Promise<unknown> {
    if (!this.enabled || !(rejection instanceof AppError) || rejection.status !== 401) return rejection;
    const { hit } = await this.store.hit(addressKey(address), this.config.RATE_LIMIT_WINDOW_SECONDS);
    const limit = this.config.AUTH_FAILURE_LIMIT_PER_MINUTE;
    if (hit.hits >= limit) this.block(address, hit.resetSeconds);
    return hit.hits > limit ? this.tooManyFailures(hit) : rejection;
  }

  /**
   * After authentication: counts the request against the agent's key and sets the limit headers on
   * the reply. Throws a 429 past the key's budget, or when the address is over its failure budget
   * (counted by any instance).
   */
  async consume(principalId: number, address: string, reply: HeaderSink): Promise<void> {
    if (!this.enabled) return;
    const { hit, peek } = await this.store.hit(`key:${principalId}`, this.config.RATE_LIMIT_WINDOW_SECONDS, addressKey(address));
    if (peek && peek.hits >= this.config.AUTH_FAILURE_LIMIT_PER_MINUTE) {
      this.block(address, peek.resetSeconds);
      throw this.tooManyFailures(peek);
    }
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    const headers = this.headers(limit, hit);
    if (hit.hits > limit) {
      throw new RateLimited(
        `Rate limit exceeded: ${limit} requests per ${this.config.RATE_LIMIT_WINDOW_SECONDS} s for this API key; retry in ${hit.resetSeconds} s`,
        {
          ...headers,
          'Retry-After': String(hit.resetSeconds),
        },
      );
    }
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  }

  /** Deletes counters of windows that are over. */
  async sweep(): Promise<number> {
    try {
      return await this.store.sweep(this.config.RATE_LIMIT_WINDOW_SECONDS);
    } catch (err) {
      this.logger.warn(`Sweeping rate-limit counters failed: ${(err as Error).message}`);
      return 0;
    }
  }

  private block(address: string, resetSeconds: number): void {
    this.blockedAddresses.set(address, Date.now() + resetSeconds * 1000);
  }

  private tooManyFailures(count: WindowCount): RateLimited {
    const headers = this.headers(this.config.AUTH_FAILURE_LIMIT_PER_MINUTE, count);
    return new RateLimited(`Too many failed authentication attempts from this address; retry in ${count.resetSeconds} s`, {
      ...headers,
      'Retry-After': String(count.resetSeconds),
    });
  }

  /** The de-facto `X-RateLimit-*` headers and the IETF draft's `RateLimit-*` ones; resets in seconds from now. */
  private headers(limit: number, count: WindowCount): Record<string, string> {
    const remaining = String(Math.max(0, limit - count.hits));
    const reset = String(count.resetSeconds);
    return {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': remaining,
      'X-RateLimit-Reset': reset,
      'RateLimit-Policy': `${limit};w=${this.config.RATE_LIMIT_WINDOW_SECONDS}`,
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': remaining,
      'RateLimit-Reset': reset,
    };
  }
}

const addressKey = (address: string) => `auth-failures:${address}`;
