import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { type DatabaseHandle, openDatabase, type OpenDatabaseOptions } from './data-source-options.js';
import { RetryingDataSource } from './retrying-data-source.js';

import { DATABASE_HANDLE } from './database.tokens.js';
import { DatabaseNotifications } from './notifications.js';

export { DATABASE_HANDLE };

/** Destroys the data source, then closes the embedded database, so a PGlite directory is left clean. */
@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.handle.close();
  }
}

@Module({})
class DatabaseHandleModule {}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: OpenDatabaseOptions): DynamicModule {
    const handleModule: DynamicModule = {
      module: DatabaseHandleModule,
      providers: [
        {
          provide: DATABASE_HANDLE,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => openDatabase(config, options),
        },
      ],
      exports: [DATABASE_HANDLE],
    };
    return {
      module: DatabaseModule,
      imports: [
        handleModule,
        TypeOrmModule.forRootAsync({
          imports: [handleModule],
          inject: [DATABASE_HANDLE],
          useFactory: (handle: DatabaseHandle) => ({ ...handle.options, retryAttempts: 2, retryDelay: 1000 }),
          dataSourceFactory: async (options) => new RetryingDataSource(options!).initialize(),
        }),
      ],
      providers: [DatabaseCloser, DatabaseNotifications],
      exports: [handleModule, DatabaseNotifications],
    };
  }
}
