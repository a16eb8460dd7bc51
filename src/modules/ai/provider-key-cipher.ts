import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../shared/config/app-config.js';
import { deriveKey } from '../../shared/config/app-secret.js';

const PREFIX = 'enc:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('ai_providers.config.api_key');

export class UndecryptableKey extends Error {}

/**
 * Encrypts provider API keys at rest with AES-256-GCM under a key derived from the server secret.
 * Stored as `enc:` + base64(iv ‖ ciphertext ‖ tag), Libredesk's layout; an empty key stays empty,
 * and a value without the prefix (written by an older server) is read as plaintext.
 */
@Injectable()
export class ProviderKeyCipher {
  private readonly key: Buffer;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.key = deriveKey(config, 'ai-provider-key');
  }

  encrypt(plain: string): string {
    if (plain === '') return '';
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The plaintext key; throws `UndecryptableKey` when the server secret changed since it was stored. */
  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new UndecryptableKey('stored key is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new UndecryptableKey('stored key does not decrypt with this server secret');
    }
  }
}
