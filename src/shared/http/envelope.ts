import { StreamableFile } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { ErrorType } from './errors.js';

export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
}

export interface ErrorEnvelope {
  status: 'error';
  message: string;
  data: unknown;
  error_type: ErrorType;
}

export const success = <T>(data: T): SuccessEnvelope<T> => ({ status: 'success', data });

/** Error envelopes made here: a body the exception filter sends as it is, never wrapped again. */
const errorEnvelopes = new WeakSet<object>();

export const errorEnvelope = (message: string, errorType: ErrorType, data: unknown = null): ErrorEnvelope => {
  const envelope: ErrorEnvelope = { status: 'error', message, data, error_type: errorType };
  errorEnvelopes.add(envelope);
  return envelope;
};

export const isErrorEnvelope = (body: unknown): body is ErrorEnvelope => typeof body === 'object' && body !== null && errorEnvelopes.has(body);

const RAW_RESPONSE = 'raw-response';
/** The route writes its own body (a file download); the envelope is not applied. */
export const RawResponse = () => RouteConfig({ [RAW_RESPONSE]: true });

/** Whether a route's `config` (Fastify's route options) comes from a @RawResponse() handler. */
export const isRawRoute = (config: Record<string, unknown> | undefined): boolean => config?.[RAW_RESPONSE] === true;

/** A body that is not a JSON value: a file, a stream or a fetch `Response` (an idempotent replay). */
const isRawBody = (body: unknown): boolean =>
  typeof body === 'object' &&
  body !== null &&
  (body instanceof StreamableFile || body instanceof Response || typeof (body as { pipe?: unknown }).pipe === 'function' || isErrorEnvelope(body));

/**
 * What a handler's result is sent as: `{"status":"success","data":...}` (no result reads as `true`).
 * An error envelope, a stream or a `Response` is sent as it is. Applied where the HTTP adapter
 * hands a result to Fastify (see AppFastifyAdapter), so no route runs through an interceptor for it.
 */
export function envelopeFor(body: unknown): unknown {
  return isRawBody(body) ? body : success(body === undefined ? true : body);
}
