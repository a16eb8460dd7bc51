import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger as PinoRootLogger } from 'pino';
import { ApiAuthGuard } from './shared/auth/auth.guard.js';
import { AuthModule } from './shared/auth/auth.module.js';
import type { EnvironmentVariables } from './shared/config/app-config.js';
import { ConfigModule } from './shared/config/config.module.js';
import { DatabaseModule } from './shared/database/database.module.js';
import { AllExceptionsFilter } from './shared/http/exception.filter.js';
import { IdempotencyGuard } from './shared/http/idempotency/idempotency.guard.js';
import { IdempotencyModule } from './shared/http/idempotency/idempotency.module.js';
import { RateLimitModule } from './shared/http/rate-limit/rate-limit.module.js';
import { AppValidationPipe } from './shared/http/validation.js';
import { LoggingModule } from './shared/logging/logging.module.js';
import { MetricsModule } from './shared/metrics/metrics.module.js';
import { AgentsModule } from './modules/agents/agents.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { TeamsModule } from './modules/teams/teams.module.js';
import { StatusesModule } from './modules/statuses/statuses.module.js';
import { InboxesModule } from './modules/inboxes/inboxes.module.js';
import { ContactsModule } from './modules/contacts/contacts.module.js';
import { MediaModule } from './modules/media/media.module.js';
import { SearchModule } from './modules/search/search.module.js';
import { AiModule } from './modules/ai/ai.module.js';
import { MailModule } from './modules/mail/mail.module.js';
import { EventsModule } from './modules/events/events.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { ConversationsModule } from './modules/conversations/conversations.module.js';
import { CustomAttributesModule } from './modules/custom-attributes/custom-attributes.module.js';
import { MailInboundModule } from './modules/mail-inbound/mail-inbound.module.js';
import { ENTITIES } from './entities.js';

export interface AppModuleOptions {
  /** The configuration to run with; the process environment when absent. */
  config?: EnvironmentVariables;
  /** An embedded database the caller opened (tests); otherwise the config decides. */
  pglite?: PGlite;
  /** The pino logger main.ts already writes through; otherwise one is made from the configuration. */
  logger?: PinoRootLogger;
}

/** The domain modules; a new module is added here. */
const DOMAIN_MODULES = [
  HealthModule,
  AgentsModule,
  TeamsModule,
  StatusesModule,
  InboxesModule,
  MediaModule,
  ContactsModule,
  CustomAttributesModule,
  SearchModule,
  AiModule,
  MailModule,
  ConversationsModule,
  MailInboundModule,
  EventsModule,
  WebhooksModule,
];

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggingModule.forRoot(options.logger),
        MetricsModule,
        DatabaseModule.forRoot({ entities: ENTITIES, pglite: options.pglite }),
        AuthModule.forRoot(AgentsModule),
        RateLimitModule,
        IdempotencyModule,
        ...DOMAIN_MODULES,
      ],
      providers: [
        // Guards run in this order: idempotency keys are scoped per authenticated agent. The success
        // envelope is applied by the HTTP adapter (AppFastifyAdapter), so no route runs an interceptor.
        { provide: APP_GUARD, useClass: ApiAuthGuard },
        { provide: APP_GUARD, useClass: IdempotencyGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useClass: AppValidationPipe },
      ],
    };
  }
}
