import type { HeaderValue, Headers } from 'mailparser';

/** Message ids as stored (`source_id`): no angle brackets, no whitespace. */
export function bareIds(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
  const bracketed = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
  const ids = bracketed.length ? bracketed : text.split(/[\s,]+/).map((t) => t.replace(/^<|>$/g, ''));
  return [...new Set(ids.filter((id) => id.length > 0 && id.length <= 998))];
}

function headerText(headers: Headers, name: string): string {
  const value: HeaderValue | undefined = headers.get(name);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return '';
}

/** Why an email is an automatic reply we must not answer or import (RFC 3834 and common vendor headers), or null. */
export function autoReplyReason(headers: Headers): string | null {
  const autoSubmitted = headerText(headers, 'auto-submitted').split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  if (headerText(headers, 'x-autoreply').trim()) return 'X-Autoreply';
  if (headerText(headers, 'x-autorespond').trim()) return 'X-Autorespond';
  const precedence = headerText(headers, 'precedence').trim().toLowerCase();
  if (['bulk', 'junk', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  const suppress = headerText(headers, 'x-auto-response-suppress')
    .split(/[\s,]+/)
    .map((t) => t.toLowerCase());
  if (suppress.includes('all') || suppress.includes('oof')) return 'X-Auto-Response-Suppress';
  return null;
}

/** Whether the email carries our loop header naming one of our own inbox addresses. */
export function isOwnLoop(headers: Headers, loopHeader: string, ownAddresses: Set<string>): boolean {
  const value = headerText(headers, loopHeader.toLowerCase()).trim().toLowerCase();
  return value !== '' && ownAddresses.has(value);
}

export function isDeliveryReport(headers: Headers): boolean {
  const type = headers.get('content-type');
  if (!type || typeof type !== 'object' || !('value' in type)) return false;
  const params = (type as { params?: Record<string, string> }).params ?? {};
  return typeof type.value === 'string' && type.value.toLowerCase() === 'multipart/report' && (params['report-type'] ?? '').toLowerCase() === 'delivery-status';
}

export interface DeliveryReport {
  /** Message-IDs of the email the report is about (from the returned headers). */
  originalIds: string[];
  failed: boolean;
  reason: string;
}

/**
 * Reads a delivery-status report (RFC 3464) from the raw email body: the returned message's
 * Message-ID, the per-recipient Action, and the Diagnostic-Code or Status as the reason.
 */
export function readDeliveryReport(raw: string): DeliveryReport {
  const bodyStart = raw.search(/\r?\n\r?\n/);
  const body = bodyStart >= 0 ? raw.slice(bodyStart) : raw;
  const unfolded = body.replace(/\r?\n[ \t]+/g, ' ');
  const originalIds = [...new Set([...unfolded.matchAll(/^Message-ID:\s*<([^<>\s]+)>/gim)].map((m) => m[1]))];
  const actions = [...unfolded.matchAll(/^Action:\s*([a-z]+)/gim)].map((m) => m[1].toLowerCase());
  const diagnostic = /^Diagnostic-Code:\s*(?:[a-z-]+\s*;\s*)?(.+)$/im.exec(unfolded)?.[1]?.trim();
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(unfolded)?.[1];
  const failed = actions.length === 0 ? status === undefined || status.startsWith('5') : actions.includes('failed');
  const reason = (diagnostic ?? (status ? `Delivery status ${status}` : 'The recipient server reported a delivery failure')).slice(0, 1000);
  return { originalIds, failed, reason };
}

/** First name and the rest as last name, from a display name; empty when there is none. */
export function splitName(displayName: string | undefined): { firstName: string; lastName: string } {
  const parts = (displayName ?? '').replace(/["']/g, '').trim().split(/\s+/).filter(Boolean);
  return { firstName: parts[0] ?? '', lastName: parts.slice(1).join(' ') };
}
