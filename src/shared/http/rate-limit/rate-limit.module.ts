import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitCounterEntity } from '../../database/entities/rate-limit-counter.entity.js';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitStore } from './rate-limit.store.js';

/** Per-key and per-address rate limits; the auth guard calls RateLimitService. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RateLimitCounterEntity])],
  providers: [RateLimitStore, RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
