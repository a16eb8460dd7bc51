import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureCheck, SignedRequestVerifier } from '../../shared/auth/decorators.js';
import { AppConfig } from '../../shared/config/app-config.js';
import { deriveKey } from '../../shared/config/app-secret.js';

/** `/uploads/<uuid>?exp=<unix>&sig=<base64url(HMAC-SHA256(key, "<uuid>:<exp>"))>` (reference §7.1). */
@Injectable()
export class MediaUrlSigner implements SignedRequestVerifier {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    this.key = deriveKey(config, 'media-url-signing');
  }

  url(uuid: string, now = Date.now()): string {
    const exp = Math.floor(now / 1000) + this.config.MEDIA_URL_EXPIRY_SECONDS;
    const base = this.config.ROOT_URL ? this.config.ROOT_URL.replace(/\/+$/, '') : '';
    return `${base}/uploads/${uuid}?exp=${exp}&sig=${this.sign(uuid, exp)}`;
  }

  check(uuid: string, exp: unknown, sig: unknown, now = Date.now()): SignatureCheck {
    if (exp === undefined && sig === undefined) return 'missing';
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return 'invalid';
    const expected = Buffer.from(this.sign(uuid, Number(exp)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(exp) * 1000 < now ? 'expired' : 'valid';
  }

  /** `/uploads/:uuid?exp=&sig=`, for the auth guard. */
  verifySignedRequest(request: { params?: unknown; query?: unknown }): SignatureCheck {
    const { uuid } = (request.params ?? {}) as { uuid?: unknown };
    const { exp, sig } = (request.query ?? {}) as { exp?: unknown; sig?: unknown };
    return typeof uuid === 'string' ? this.check(uuid, exp, sig) : 'invalid';
  }

  private sign(uuid: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${uuid.toLowerCase()}:${exp}`).digest('base64url');
  }
}
