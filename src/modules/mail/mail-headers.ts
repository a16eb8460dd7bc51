import addressparser from 'nodemailer/lib/addressparser';

const MAX_BACKOFF_MS = 60 * 60 * 1000;
const MAX_REFERENCES = 20;

/** Every email we send carries it; mail that comes back with it (an echo, a forward loop) is dropped. */
export const LOOP_HEADER = 'X-Libredesk-Loop-Prevention';

/** The loop header's value: the sender's bare address, lower-cased. */
export function loopHeaderValue(from: string): string {
  const entry = addressparser(from, { flatten: true }).find((e) => e.address);
  return (entry?.address ?? from).trim().toLowerCase();
}

/** The bare address's domain of `Name <user@example.com>` or `user@example.com`, lower-cased. */
export function domainOf(address: string | null | undefined): string | null {
  if (!address) return null;
  for (const entry of addressparser(address, { flatten: true })) {
    const at = entry.address?.lastIndexOf('@') ?? -1;
    if (at > 0) return entry.address.slice(at + 1).toLowerCase();
  }
  return null;
}

/**
 * Message ids are stored bare (`id@domain`, as `source_id`) and written in angle brackets. The id of an
 * outgoing message is derived from its uuid, so a redelivery after a crash carries the same
 * Message-ID and receivers can drop the duplicate.
 */
export const messageIdFor = (messageUuid: string, domain: string): string => `${messageUuid}@${domain}`;
export const threadIdFor = (conversationUuid: string, domain: string): string => `${conversationUuid}@${domain}`;

export function bracketed(id: string): string {
  const bare = id.trim().replace(/^<+|>+$/g, '');
  return `<${bare}>`;
}

/** In-Reply-To is the latest earlier message; References the earlier ones oldest first (bounded). */
export function threadingHeaders(previousNewestFirst: string[], threadId: string): { inReplyTo: string; references: string[] } {
  if (previousNewestFirst.length === 0) return { inReplyTo: bracketed(threadId), references: [bracketed(threadId)] };
  const chain = previousNewestFirst.slice(0, MAX_REFERENCES).reverse().map(bracketed);
  return { inReplyTo: chain[chain.length - 1], references: chain };
}

export function replySubject(subject: string, referenceNumber: string): string {
  const base = subject.trim() || `Conversation #${referenceNumber}`;
  return /^re:/i.test(base) ? base : `Re: ${base}`;
}

/** Delay before the attempt after `attempts` failed ones: base, 2×base, 4×base … capped at an hour. */
export function backoffMs(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export function addressList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter(Boolean);
}
