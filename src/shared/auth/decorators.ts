import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, type Type } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_PERMISSIONS = 'auth:permissions';
export const SIGNED_REQUEST_VERIFIER = 'auth:signed-request-verifier';

export type SignatureCheck = 'valid' | 'missing' | 'invalid' | 'expired';

/** Checks a request's own signature (a signed URL); the provider is looked up in the app by its class. */
export interface SignedRequestVerifier {
  verifySignedRequest(request: { params?: unknown; query?: unknown }): SignatureCheck;
}

/** No credentials needed (health, docs). */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));

/** Any authenticated agent; documents both security schemes. */
export const Authenticated = () => applyDecorators(ApiSecurity('basicAuth'), ApiSecurity('tokenAuth'));

/**
 * A validly signed request is let in without credentials (`verifier` decides); any other request
 * needs API credentials, checked like on every route (same strategies, same failed-authentication limit).
 */
export const SignedOrAuthenticated = (verifier: Type<SignedRequestVerifier>) =>
  applyDecorators(SetMetadata(SIGNED_REQUEST_VERIFIER, verifier), ApiSecurity({}), Authenticated());

/** The caller must hold every listed permission (403 `PermissionException` otherwise). */
export const RequirePermission = (...permissions: Permission[]) => applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, permissions), Authenticated());

/** The authenticated agent. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
});
