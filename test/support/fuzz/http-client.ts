import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query as sent on the request line; characters U+0080–U+00FF go out as single raw bytes. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  ms: number;
}

/**
 * A bare HTTP/1.1 client: no URL normalisation, no re-encoding, so hostile paths, invalid UTF-8 and
 * odd content types reach the server exactly as generated.
 */
export class RawHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL(baseUrl);
  }

  /**
   * Sends one request. A kept-alive socket the server closed in the meantime is retried once on a
   * fresh connection (the race Node's documentation describes for `reusedSocket`).
   */
  async send(req: RawRequest): Promise<RawResponse> {
    try {
      return await this.attempt(req, this.agent);
    } catch (err) {
      if (!(err as { reusedSocket?: boolean }).reusedSocket) throw err;
      return this.attempt(req, false);
    }
  }

  private attempt(req: RawRequest, agent: http.Agent | false): Promise<RawResponse> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['Content-Length'] = req.body.length;
      const r = http.request({ host: this.url.hostname, port: this.url.port, method: req.method, path: req.path, headers, agent, setHost: true }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: unknown;
          if (/^application\/json\b/i.test(String(res.headers['content-type'] ?? ''))) {
            try {
              json = JSON.parse(body.toString('utf8'));
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, ms: Date.now() - started });
        });
      });
      r.setTimeout(this.timeoutMs, () => r.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      r.on('error', (err: Error & { reusedSocket?: boolean }) => {
        err.reusedSocket = r.reusedSocket && (err as { code?: string }).code === 'ECONNRESET';
        reject(err);
      });
      r.end(req.body);
    });
  }

  /** A JSON request with credentials, for seeding; throws unless the answer is 200. */
  async json<T = unknown>(method: string, path: string, auth: string, body?: unknown): Promise<T> {
    const res = await this.send({
      method,
      path,
      headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    if (res.status !== 200) throw new Error(`${method} ${path} → ${res.status} ${res.body.toString('utf8').slice(0, 500)}`);
    return (res.json as { data: T }).data;
  }

  close(): void {
    this.agent.destroy();
  }
}
