import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_PERMISSIONS = 'auth:permissions';

/** No credentials needed (health, docs). */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));

/** Any authenticated agent; documents both security schemes. */
export const Authenticated = () => applyDecorators(ApiSecurity('basicAuth'), ApiSecurity('tokenAuth'));

/** The caller must hold every listed permission (403 `PermissionException` otherwise). */
export const RequirePermission = (...permissions: Permission[]) => applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, permissions), Authenticated());

/** The authenticated agent. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
});
