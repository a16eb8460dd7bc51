import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentVariables } from './app-config.js';

const SECRET_FILE = 'app-secret';
const cache = new Map<string, string>();

/**
 * The server's root secret: `APP_SECRET`, or a random one generated on first use and kept in
 * `DATA_DIR/app-secret`, so signed URLs and encrypted values survive restarts.
 */
export function appSecret(config: Pick<EnvironmentVariables, 'APP_SECRET' | 'DATA_DIR'>): string {
  if (config.APP_SECRET) return config.APP_SECRET;
  const path = join(config.DATA_DIR, SECRET_FILE);
  const cached = cache.get(path);
  if (cached) return cached;
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(config.DATA_DIR, { recursive: true });
    try {
      // 'wx' fails if another process wrote it first; then that one's secret wins.
      writeFileSync(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    secret = readFileSync(path, 'utf8').trim();
  }
  cache.set(path, secret);
  return secret;
}

/** A 32-byte key for one purpose (`media-url-signing`, `ai-provider-key`), derived with HKDF-SHA256. */
export function deriveKey(config: Pick<EnvironmentVariables, 'APP_SECRET' | 'DATA_DIR'>, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', appSecret(config), 'libredesk-api-server', purpose, 32));
}
