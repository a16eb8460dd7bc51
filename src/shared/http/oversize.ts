import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorEnvelope } from './envelope.js';

/** After a 413, this much more of the body is read and thrown away; beyond it (or after DRAIN_MS) the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;
const GRACEFUL = Symbol('graceful close');

type Closable = Socket & { [GRACEFUL]?: true };

/**
 * Makes the close that follows an answer sent before the request body was read graceful. Node ends
 * such a response with `socket.destroySoon()`: FIN, then the descriptor is closed while the client is
 * still sending, its next segment draws a RST, and the client's TCP stack throws away the 413 it has
 * not read yet (curl: "broken pipe", urllib: "connection reset"). Instead: half-close (the answer and
 * a FIN go out), keep reading and discarding, and close once the client stops sending, or at a bound.
 */
export function closeGracefully(request: IncomingMessage): void {
  const socket = request.socket as Closable;
  if (socket[GRACEFUL] || socket.destroyed) return;
  socket[GRACEFUL] = true;
  socket.destroySoon = function drainThenClose(this: Socket) {
    let drained = 0;
    const cut = () => this.destroy();
    const timer = setTimeout(cut, DRAIN_MS).unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', cut);
    // Node's HTTP parser reads the socket itself and feeds the body to the request: read that.
    request.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) cut();
    });
    request.once('end', cut);
    this.end();
    request.resume();
  };
}

/**
 * A JSON body announced with `Expect: 100-continue` and a `Content-Length` over the limit is answered 413 at once (Node would
 * otherwise send `100 Continue` and invite the whole body); any other expectation proceeds as usual.
 */
export function registerEarlyBodyLimit(server: Server, limit: number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const json = /^application\/json\b/i.test(request.headers['content-type'] ?? '');
    if (json && Number(request.headers['content-length']) > limit) {
      const body = JSON.stringify(errorEnvelope('Request body is too large', 'PayloadTooLargeException'));
      closeGracefully(request);
      response.writeHead(413, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      response.end(body);
      return;
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
}
