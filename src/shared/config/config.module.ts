import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, EnvironmentVariables, validateEnvironment } from './app-config.js';

@Global()
@Module({})
export class ConfigModule {
  /** The validated configuration: the one given (tests, CLI), else the process environment. */
  static forRoot(config?: EnvironmentVariables): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useFactory: () => config ?? validateEnvironment() }],
      exports: [AppConfig],
    };
  }
}
