import { Global, Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitStore } from './rate-limit.store.js';

/** Per-key and per-address rate limits; the auth guard calls RateLimitService. */
@Global()
@Module({
  providers: [RateLimitStore, RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
