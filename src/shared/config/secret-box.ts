import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EnvironmentVariables } from './app-config.js';
import { deriveKey } from './app-secret.js';

const PREFIX = 'enc:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class UndecryptableSecret extends Error {}

/**
 * Secrets the server must read back (provider API keys, webhook signing secrets, SMTP passwords)
 * are sealed at rest with AES-256-GCM under a key derived from the server secret for one purpose,
 * with the purpose as associated data. Stored as `enc:` + base64(iv ‖ ciphertext ‖ tag), Libredesk's
 * layout; a value without the prefix (written before encryption existed) reads as plaintext.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly aad: Buffer;

  constructor(config: Pick<EnvironmentVariables, 'APP_SECRET' | 'DATA_DIR'>, purpose: string) {
    this.key = deriveKey(config, purpose);
    this.aad = Buffer.from(purpose);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(this.aad);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The plaintext; throws `UndecryptableSecret` when the server secret changed since it was sealed. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new UndecryptableSecret('the stored secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(this.aad);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new UndecryptableSecret('the stored secret does not decrypt with this server secret (APP_SECRET changed?)');
    }
  }
}
