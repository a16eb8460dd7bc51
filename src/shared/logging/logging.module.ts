import type { IncomingMessage } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, type Params, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger } from './root-logger.js';

/** Injection token of the application's pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * nestjs-pino's settings: no automatic request lines (`registerAccessLog` writes them, with the route
 * pattern and the agent), and only the request id bound to what is logged while a request is handled
 * (never its headers). The id is Fastify's, which honours a sane incoming `X-Request-Id`.
 */
export function pinoParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      autoLogging: false,
      quietReqLogger: true,
      quietResLogger: true,
      customAttributeKeys: { reqId: 'request_id' },
      genReqId: (req: IncomingMessage) => req.id ?? '-',
    },
  };
}

/** A Nest LoggerService writing through `logger`, for `NestFactory.create({ logger })`. */
export function nestLoggerFor(logger: Logger): NestPinoLogger {
  const params = pinoParams(logger);
  return new NestPinoLogger(new PinoLogger(params), params);
}

@Module({})
class RootLoggerModule {}

@Module({})
export class LoggingModule {
  /** `root`: the logger the caller already made (main.ts); otherwise one is made from the configuration. */
  static forRoot(root?: Logger): DynamicModule {
    const rootModule: DynamicModule = {
      module: RootLoggerModule,
      providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => root ?? createRootLogger(config) }],
      exports: [ROOT_LOGGER],
    };
    return {
      module: LoggingModule,
      global: true,
      imports: [rootModule, LoggerModule.forRootAsync({ imports: [rootModule], inject: [ROOT_LOGGER], useFactory: pinoParams })],
      exports: [rootModule, LoggerModule],
    };
  }
}
