import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery the receiver got. `Body` is the parsed JSON body's shape, as the test expects it. */
export interface Hit<Body = Record<string, unknown>> {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Body;
  at: number;
  answered: number | 'hang';
}

export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

/** A real HTTP receiver on 127.0.0.1 for webhook tests; each path answers with its own script (200 when none). */
export class Receiver<Body = Record<string, unknown>> {
  readonly hits: Hit<Body>[] = [];
  private readonly scripts = new Map<string, (hit: Hit<Body>) => Reply>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const hit: Hit<Body> = { path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) as Body, at: Date.now(), answered: 200 };
        const reply = this.scripts.get(hit.path)?.(hit) ?? { status: 200 };
        hit.answered = reply === 'hang' ? 'hang' : reply.status;
        this.hits.push(hit);
        if (reply === 'hang') return; // never answers; the sender's timeout must cut it off
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.status < 300 ? 'ok' : `nope ${reply.status}`);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  script(path: string, fn: (hit: Hit<Body>) => Reply): void {
    this.scripts.set(path, fn);
  }

  at(path: string): Hit<Body>[] {
    return this.hits.filter((h) => h.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
