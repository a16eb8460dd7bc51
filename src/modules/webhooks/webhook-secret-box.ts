import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { deriveKey } from '../../shared/config/app-secret.js';

const PREFIX = 'enc:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('webhooks.secret');

export class UndecryptableSecret extends Error {}

/**
 * Signing secrets must be readable to sign with, so they are encrypted at rest (AES-256-GCM under a
 * key derived from the server secret) rather than hashed: a database dump alone does not reveal them.
 */
@Injectable()
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.key = deriveKey(config, 'webhook-secret');
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The plaintext secret; throws `UndecryptableSecret` when the server secret changed since it was stored. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new UndecryptableSecret('stored webhook secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new UndecryptableSecret('stored webhook secret does not decrypt with this server secret (APP_SECRET changed?)');
    }
  }
}
