import { DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { CredentialsService } from './credentials.service.js';
import { BasicAuthStrategy, TokenAuthStrategy } from './strategies.js';

@Global()
@Module({})
export class AuthModule {
  /** `principalSource`: the module that provides and exports PRINCIPAL_SOURCE (the agents module). */
  static forRoot(principalSource: NonNullable<ModuleMetadata['imports']>[number]): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule, principalSource],
      providers: [CredentialsService, BasicAuthStrategy, TokenAuthStrategy],
      exports: [CredentialsService],
    };
  }
}
