import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../shared/config/app-config.js';
import { deriveKey } from '../../shared/config/app-secret.js';

export type SignatureCheck = 'valid' | 'missing' | 'invalid' | 'expired';

/** `/uploads/<uuid>?exp=<unix>&sig=<base64url(HMAC-SHA256(key, "<uuid>:<exp>"))>` (reference §7.1). */
@Injectable()
export class MediaUrlSigner {
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

  private sign(uuid: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${uuid.toLowerCase()}:${exp}`).digest('base64url');
  }
}
