import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { success } from './envelope.js';
import { PreconditionFailed } from './errors.js';

/** A strong entity tag for a serialized response body. */
export function etagOf(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * The ETag of the GET that answers `data`: the hash of its enveloped body exactly as it is sent
 * (Fastify serializes a route's result with JSON.stringify), so a service can compute, inside its
 * transaction, the tag a client got from the corresponding GET.
 */
export function etagOfData(data: unknown): string {
  return etagOf(JSON.stringify(success(data)));
}

interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** `*` or a list of entity tags (`"x"`, `W/"x"`); a bare token is read as if it were quoted. */
function parseTags(header: string | string[] | undefined): '*' | EntityTag[] | null {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === undefined || raw.trim() === '') return null;
  if (raw.trim() === '*') return '*';
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const weak = /^W\//i.test(part);
      const tag = weak ? part.slice(2) : part;
      return { weak, opaque: tag.replace(/^"(.*)"$/, '$1') };
    });
}

const opaqueOf = (etag: string) => etag.slice(1, -1);

/** `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2). */
function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  const tags = parseTags(header);
  if (tags === null) return false;
  return tags === '*' || tags.some((t) => t.opaque === opaqueOf(etag));
}

/**
 * An `If-Match` precondition for a write. The write checks it against the representation the
 * corresponding GET would return to this caller, read inside the write's transaction after locking
 * the resource's row (`SELECT … FOR UPDATE`): two clients sending the same tag are serialized on that
 * lock, and the second one compares against what the first one wrote, so only one of them can win.
 */
export class Precondition {
  private constructor(private readonly tags: '*' | EntityTag[]) {}

  static fromHeader(header: string | string[] | undefined): Precondition | null {
    const tags = parseTags(header);
    return tags === null ? null : new Precondition(tags);
  }

  /** 412 unless `current` (the resource as its GET renders it) carries one of the tags; `*` matches any existing resource. */
  assert(current: unknown): void {
    if (this.tags === '*') return;
    const etag = opaqueOf(etagOfData(current));
    // The strong comparison: a weak tag never matches.
    if (!this.tags.some((t) => !t.weak && t.opaque === etag)) throw new PreconditionFailed();
  }
}

/** The request's `If-Match` as a Precondition, or null without one. */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): Precondition | null =>
  Precondition.fromHeader(ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['if-match']),
);

/**
 * Every successful JSON GET of the API carries a strong `ETag` (the hash of the body as sent), and a
 * request whose `If-None-Match` names it gets 304 with no body.
 */
export function registerConditionalHooks(fastify: FastifyInstance): void {
  // Callback-style, like the other onSend hooks: no promise per response.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return done(null, payload);
    if (!request.url.startsWith('/api/') || !/^application\/json\b/i.test(String(reply.getHeader('content-type') ?? ''))) return done(null, payload);
    const etag = etagOf(payload);
    reply.header('ETag', etag);
    if (!noneMatch(request.headers['if-none-match'], etag)) return done(null, payload);
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    done(null, null);
  });
}
