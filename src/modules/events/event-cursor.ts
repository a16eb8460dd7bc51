import { InvalidInput } from '../../shared/http/errors.js';

const PREFIX = 'ev1:';

/** The feed position after event `id`, as an opaque token clients hand back unchanged. */
export function encodeCursor(id: number): string {
  return Buffer.from(`${PREFIX}${id}`, 'utf8').toString('base64url');
}

/** The event id a cursor stands for; 0 (the start of the log) without one. Anything malformed is a 400. */
export function decodeCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === '') return 0;
  const fail = () => new InvalidInput('`after` is not a cursor this server issued', { fields: { after: 'invalid cursor' } });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw fail();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = new RegExp(`^${PREFIX}(0|[1-9]\\d{0,14})$`).exec(text);
  if (!match || encodeCursor(Number(match[1])) !== cursor) throw fail();
  return Number(match[1]);
}
