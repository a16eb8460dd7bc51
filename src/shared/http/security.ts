import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { EnvironmentVariables } from '../config/app-config.js';

/** Headers a browser client may read from a cross-origin response. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'Content-Disposition',
  'ETag',
];

/** `CORS_ORIGINS` as a set of origins, or `*`. */
export function parseCorsOrigins(value: string): '*' | Set<string> {
  const origins = value
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return origins.includes('*') ? '*' : new Set(origins.map((o) => o.toLowerCase()));
}

/** `TRUST_PROXY` in the form Fastify's `trustProxy` takes; a hop count trusts that many proxies in front. */
export function trustProxySetting(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Security headers on every response (helmet) and CORS for the configured browser origins.
 * The CSP allows only this server's own scripts, which is all the Swagger UI at /docs needs (its
 * assets are served locally); its inline styles and data: images are allowed. No
 * `upgrade-insecure-requests`, so a plain-HTTP deployment still loads /docs.
 */
export async function registerSecurity(app: NestFastifyApplication, config: Pick<EnvironmentVariables, 'CORS_ORIGINS'>): Promise<void> {
  const origins = parseCorsOrigins(config.CORS_ORIGINS);
  const crossOrigin = origins === '*' || origins.size > 0;
  // Built once: the Fastify plugin would build helmet (and parse the CSP) again for every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    // Browser clients on the configured origins embed attachments (/uploads) and read responses.
    crossOriginResourcePolicy: { policy: crossOrigin ? 'cross-origin' : 'same-origin' },
  });
  const fixed = fixedHeaders(securityHeaders);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook(
      'onRequest',
      fixed
        ? (_request, reply, done) => {
            const raw = reply.raw;
            for (let i = 0; i < fixed.length; i += 1) raw.setHeader(fixed[i][0], fixed[i][1]);
            done();
          }
        : (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)),
    );
  if (!crossOrigin) return;
  await app.register(cors, {
    // A refused origin gets no CORS headers, and its preflight a 404.
    origin: origins === '*' ? '*' : (origin, cb) => cb(null, origin !== undefined && origins.has(origin.toLowerCase()) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'If-Match', 'If-None-Match'],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}

/**
 * The headers helmet sets, recorded once from a dry run: with this configuration (no nonce or other
 * per-request directive) they are the same on every response, and setting the recorded list costs a
 * fraction of running helmet's eleven middlewares (and its CSP serialization) per request. Null when
 * helmet did anything but set headers synchronously (a per-request directive): then it runs per request.
 */
export function fixedHeaders(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): [string, string][] | null {
  const headers: [string, string][] = [];
  let simple = true;
  let finished = false;
  const res = {
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') simple = false;
      headers.push([name, String(value)]);
      return res;
    },
    // helmet removes X-Powered-By, which Fastify never sets.
    removeHeader: () => undefined,
  };
  middleware({ headers: {}, method: 'GET', url: '/' } as IncomingMessage, res as unknown as ServerResponse, (err) => {
    if (err) simple = false;
    finished = true;
  });
  return simple && finished && headers.length > 0 ? headers : null;
}

const SECRET_QUERY =
  /([?&](?:sig|signature|token|access_token|api_key|api_secret|secret|password|key|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#]*/gi;

/** A request URL fit for a log line: the values of signature and credential query parameters are hidden. */
export function redactUrl(url: string | undefined): string {
  return (url ?? '').replace(SECRET_QUERY, '$1[REDACTED]');
}
