import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message the sink took in full (the whole DATA phase arrived). */
export interface Delivery {
  messageId: string;
  rcptTo: string[];
  raw: string;
  at: number;
}

type Mode = 'accept' | 'stall';

interface Held {
  delivery: Delivery;
  release: () => void;
}

/**
 * A real SMTP server (smtp-server) in the test process, on a fixed port so it can go down and come
 * back where the helpdesk expects it.
 *
 * - `down()` closes the port (connection refused); `up()` listens again.
 * - In `stall` mode a message whose DATA has fully arrived gets no reply: it is held. `acceptHeld()`
 *   answers 250 for the held ones (then they count as delivered); if the client goes away first, the
 *   message was never acknowledged and counts as `dropped`, as a conforming MTA treats it.
 */
export class SmtpSink {
  readonly delivered: Delivery[] = [];
  readonly dropped: Delivery[] = [];
  readonly held = new Map<string, Held>();
  mode: Mode = 'accept';
  private server: SMTPServer | undefined;

  private constructor(public port: number) {}

  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink(port);
    await sink.up();
    return sink;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** How often each Message-ID was delivered. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.delivered) counts.set(d.messageId, (counts.get(d.messageId) ?? 0) + 1);
    return counts;
  }

  deliveriesOf(messageId: string): Delivery[] {
    return this.delivered.filter((d) => d.messageId === messageId);
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 100,
      onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const delivery: Delivery = { messageId: header(raw, 'message-id'), rcptTo: session.envelope.rcptTo.map((r) => r.address), raw, at: Date.now() };
          if (this.mode === 'accept') {
            this.delivered.push(delivery);
            cb();
            return;
          }
          this.held.set(session.id, {
            delivery,
            release: () => {
              this.delivered.push({ ...delivery, at: Date.now() });
              cb();
            },
          });
        });
      },
      onClose: (session) => {
        const held = this.held.get(session.id);
        if (!held) return;
        this.held.delete(session.id);
        this.dropped.push(held.delivery);
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Answers 250 to every held message. */
  acceptHeld(): void {
    for (const [id, held] of this.held) {
      this.held.delete(id);
      held.release();
    }
  }

  /** Answers 250 to the held message with this Message-ID; false when none is held. */
  acceptOne(messageId: string): boolean {
    for (const [id, held] of this.held) {
      if (held.delivery.messageId !== messageId) continue;
      this.held.delete(id);
      held.release();
      return true;
    }
    return false;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function header(raw: string, name: string): string {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return '';
}
