import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BasicStrategy } from 'passport-http';
import { Strategy as CustomStrategy } from 'passport-custom';
import { CredentialsService } from './credentials.service.js';
import type { Principal } from './principal.js';

/** `Authorization: Basic base64(api_key:api_secret)`. */
@Injectable()
export class BasicAuthStrategy extends PassportStrategy(BasicStrategy, 'basic') {
  constructor(private readonly credentials: CredentialsService) {
    super();
  }

  validate(apiKey: string, apiSecret: string): Promise<Principal | null> {
    return this.credentials.authenticate(apiKey, apiSecret);
  }
}

/** Splits `token api_key:api_secret` on the first colon; null when the header is not of that form. */
export function parseTokenHeader(header: string | undefined): { apiKey: string; apiSecret: string } | null {
  const match = /^token[ \t]+(.+)$/.exec(header ?? '');
  if (!match) return null;
  const value = match[1].trim();
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) return null;
  return { apiKey: value.slice(0, colon), apiSecret: value.slice(colon + 1) };
}

/** `Authorization: token api_key:api_secret`. */
@Injectable()
export class TokenAuthStrategy extends PassportStrategy(CustomStrategy, 'token') {
  constructor(private readonly credentials: CredentialsService) {
    super();
  }

  async validate(req: { headers: Record<string, string | undefined> }): Promise<Principal | null> {
    const parsed = parseTokenHeader(req.headers.authorization);
    return parsed ? this.credentials.authenticate(parsed.apiKey, parsed.apiSecret) : null;
  }
}
