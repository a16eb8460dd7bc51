import type { Socket } from 'node:net';
import type { ConnectionError, FastifyReply, FastifyRequest } from 'fastify';
import { errorEnvelope } from './envelope.js';

const json = (status: number, message: string) => ({ status, body: JSON.stringify(errorEnvelope(message, 'InputException')) });

const ROUTE_NOT_FOUND = JSON.stringify(errorEnvelope('Route not found', 'NotFoundException'));

/**
 * No route serves this method at this path: answer 404 (a preParsing hook: after the security headers,
 * before Fastify looks at the body), so an unknown
 * route (or a method no route has, such as QUERY, which Fastify would otherwise refuse for lacking a
 * Content-Type) is a 404 in the envelope whatever the request carries.
 */
export async function unknownRouteHook(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (!request.is404) return payload;
  return reply.code(404).type('application/json; charset=utf-8').send(ROUTE_NOT_FOUND);
}

/** `CONNECT` never reaches a route (Node hands it to a 'connect' listener); without one the socket just closes. */
export function connectHandler(_request: unknown, socket: Socket): void {
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(ROUTE_NOT_FOUND)}\r\nConnection: close\r\n\r\n${ROUTE_NOT_FOUND}`,
  );
}

/**
 * Fastify's router rejects some URLs before any hook, route or Nest filter runs: a path that does not
 * percent-decode (`/agents/%zz`) and an over-long path parameter. Answer them in the error envelope.
 */
export function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? json(414, 'A path parameter is too long')
      : json(400, 'The URL is not valid: it contains a malformed percent-encoding');
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Requests Node's HTTP parser refuses outright (bytes not allowed in a request line, oversized
 * headers, a request that never finishes arriving) get the error envelope too, then the socket closes.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [reason, { status, body }] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['Request Timeout', json(408, 'The request did not arrive in time')]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['Request Header Fields Too Large', json(431, 'The request line or headers are too large')]
        : ['Bad Request', json(400, 'The request is not valid HTTP/1.1 (for example, bytes that are not allowed in a URL or a header)')];
  // A response to HEAD carries no body, or the client would read it as the start of the next response.
  const raw: unknown = err.rawPacket;
  const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy(err);
}
