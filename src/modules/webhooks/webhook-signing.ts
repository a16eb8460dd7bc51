import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** `whsec_` + base64 of 24–64 bytes, or any other 16–256 visible characters (e.g. a Libredesk secret). */
export function isValidSecret(secret: unknown): secret is string {
  if (typeof secret !== 'string') return false;
  if (secret.startsWith(PREFIX)) {
    const encoded = secret.slice(PREFIX.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
    const bytes = Buffer.from(encoded, 'base64').length;
    return bytes >= 24 && bytes <= 64;
  }
  return /^[\x21-\x7e]{16,256}$/.test(secret);
}

/** The HMAC key: the decoded bytes of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function secretKey(secret: string): Buffer {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** Enough of the secret to recognise it, never enough to use it. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith(PREFIX) ? PREFIX : '';
  return `${prefix}********${secret.slice(-4)}`;
}

/** A secret as a response shows it: ours (`maskSecret`) or upstream Libredesk's, which contains "•". */
export function isMaskedSecret(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('\u2022') || /^(?:whsec_)?\*{8}[\x21-\x7e]{0,4}$/.test(value));
}

/**
 * Standard Webhooks headers (`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`) and
 * Libredesk's `X-Libredesk-Signature: sha256=<hex HMAC-SHA256 of the body>`, both keyed with the secret.
 */
export function signatureHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  const key = secretKey(secret);
  const standard = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  const libredesk = createHmac('sha256', key).update(body).digest('hex');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${standard}`,
    'x-libredesk-signature': `sha256=${libredesk}`,
  };
}

/**
 * Upstream Libredesk's headers for a `libredesk`-format webhook: `X-Libredesk-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body>` keyed with the secret's UTF-8 bytes as written (a `whsec_` secret is not
 * decoded: upstream's `generateSignature` uses the string), plus `webhook-id` for dropping duplicates.
 */
export function libredeskSignatureHeaders(secret: string, id: string, body: string): Record<string, string> {
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
  return { 'webhook-id': id, 'x-libredesk-signature': `sha256=${signature}` };
}
