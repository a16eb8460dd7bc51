import { CanActivate, ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Forbidden, Unauthorized } from '../http/errors.js';
import { RateLimitService, type HeaderSink } from '../http/rate-limit/rate-limit.service.js';
import { IS_PUBLIC, REQUIRED_PERMISSIONS, SIGNED_REQUEST_VERIFIER, type SignatureCheck, type SignedRequestVerifier } from './decorators.js';
import type { Principal } from './principal.js';

type Guard = CanActivate & { handleRequest: (...args: unknown[]) => unknown };

function rejectWith<T extends Guard>(guard: T): T {
  // Every authentication failure is the same 401 envelope, whatever passport's reason was.
  guard.handleRequest = (err: unknown, user: unknown) => {
    if (err instanceof Error) throw err;
    if (err || !user) throw new Unauthorized('Invalid API key or secret');
    return user;
  };
  return guard;
}

/** Why a request without credentials was refused on a route that also takes a signed URL. */
const SIGNATURE_REFUSALS: Record<Exclude<SignatureCheck, 'valid'>, string> = {
  missing: 'Authentication required',
  invalid: 'Invalid signature',
  expired: 'This link has expired',
};

interface RouteAuth {
  isPublic: boolean;
  verifier: Type<SignedRequestVerifier> | undefined;
  required: string[];
}

/**
 * The one global guard. It picks the passport strategy from the `Authorization` scheme
 * (`Basic` or `token`), applies the rate limits (per client address for failed authentication,
 * per API key after it), then checks the route's `@RequirePermission()`. A route marked
 * `@SignedOrAuthenticated()` lets a validly signed request in without credentials.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly basic = rejectWith(new (AuthGuard('basic'))() as unknown as Guard);
  private readonly token = rejectWith(new (AuthGuard('token'))() as unknown as Guard);
  /** A route's metadata, read once per handler rather than on every request. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimits: RateLimitService,
    private readonly moduleRef: ModuleRef,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeAuth(context);
    // A public route (health, docs) answers without a promise.
    return route.isPublic || this.authenticate(context, route);
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (!route) {
      const targets = [handler, controller];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        verifier: this.reflector.getAllAndOverride<Type<SignedRequestVerifier> | undefined>(SIGNED_REQUEST_VERIFIER, targets),
        required: this.reflector.getAllAndOverride<string[]>(REQUIRED_PERMISSIONS, targets) ?? [],
      };
      byHandler.set(handler, route);
    }
    return route;
  }

  private async authenticate(context: ExecutionContext, { verifier, required }: RouteAuth): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: Principal; ip: string; params?: unknown; query?: unknown }>();
    const signature = verifier ? this.moduleRef.get(verifier, { strict: false }).verifySignedRequest(request) : 'missing';
    if (signature === 'valid') return true;
    this.rateLimits.assertAddressAllowed(request.ip);
    const header = request.headers.authorization ?? '';
    const strategy = /^Basic[ \t]+\S/.test(header) ? this.basic : /^token[ \t]+\S/.test(header) ? this.token : null;
    if (!strategy) {
      throw new Unauthorized(header ? 'Unsupported Authorization scheme: use `Basic` or `token`' : SIGNATURE_REFUSALS[signature]);
    }
    try {
      await strategy.canActivate(context);
    } catch (err) {
      throw await this.rateLimits.recordAuthFailure(request.ip, err);
    }
    const principal = request.user as Principal;
    await this.rateLimits.consume(principal.id, request.ip, context.switchToHttp().getResponse<HeaderSink>());

    if (!required.every((p) => principal.permissions.has(p))) throw new Forbidden('Permission denied');
    return true;
  }
}
