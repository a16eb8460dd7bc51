import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { CredentialsService } from './credentials.service.js';
import { BasicAuthStrategy, TokenAuthStrategy } from './strategies.js';

@Global()
@Module({
  imports: [PassportModule],
  providers: [CredentialsService, BasicAuthStrategy, TokenAuthStrategy],
  exports: [CredentialsService],
})
export class AuthModule {}
