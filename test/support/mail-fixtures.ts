import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server that accepts, or answers RCPT TO with `reply` (e.g. 550 or 451). */
export async function startSmtpSink() {
  const received: Array<{ raw: string; rcptTo: string[]; headers: Map<string, string> }> = [];
  const state: { reply: { code: number; text: string } | null; rcptAttempts: number } = { reply: null, rcptAttempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      state.rcptAttempts++;
      if (state.reply) cb(Object.assign(new Error(state.reply.text), { responseCode: state.reply.code }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ raw, rcptTo: session.envelope.rcptTo.map((r) => r.address), headers: parseHeaders(raw) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function parseHeaders(raw: string): Map<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface EmailOptions {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** A raw RFC 822 email; with `contentType` the body is taken as is (multipart bodies). */
export function email(o: EmailOptions = {}): string {
  const lines = [
    `From: ${o.from ?? 'Jane Q Customer <jane@customer.test>'}`,
    `To: ${o.to ?? 'Support <support@imap.test>'}`,
    `Subject: ${o.subject ?? 'Help with my order'}`,
    `Date: ${new Date().toUTCString()}`,
  ];
  if (o.messageId !== null) lines.push(`Message-ID: <${o.messageId ?? `${Math.random().toString(36).slice(2)}@customer.test`}>`);
  if (o.inReplyTo) lines.push(`In-Reply-To: ${o.inReplyTo}`);
  if (o.references) lines.push(`References: ${o.references}`);
  for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0', `Content-Type: ${o.contentType ?? 'text/plain; charset=utf-8'}`, '', o.body ?? 'Hello,\r\nmy order has not arrived.\r\nJane');
  return lines.join('\r\n') + '\r\n';
}
