import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { AppError, ErrorType } from './errors.js';
import { errorEnvelope } from './envelope.js';
import { IdempotentReplay } from './idempotency/idempotency.guard.js';
import { redactUrl } from './security.js';

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: 'InputException',
  401: 'UnauthorizedException',
  403: 'PermissionException',
  404: 'NotFoundException',
  409: 'ConflictException',
  413: 'PayloadTooLargeException',
  429: 'RateLimitException',
  504: 'NetworkException',
};

const typeFor = (status: number): ErrorType => TYPE_BY_STATUS[status] ?? (status < 500 ? 'InputException' : 'GeneralException');

/** Postgres error codes that mean the client sent something the schema rejects. */
const PG_CLIENT_ERRORS: Record<string, [number, string]> = {
  '23505': [409, 'A record with the same unique value already exists'],
  '23503': [400, 'A referenced record does not exist'],
  '23502': [400, 'A required value is missing'],
  '23514': [400, 'A value is out of range'],
  '22001': [400, 'A value is too long'],
  '22003': [400, 'A number is out of range'],
  '22007': [400, 'Invalid date or time value'],
  '22008': [400, 'Date or time value out of range'],
  '22P02': [400, 'Invalid value'],
  '22021': [400, 'Invalid text encoding'],
  '54000': [400, 'A value is too large'],
};

/** Errors that mean the database is away: a 503 the client can retry, not a crash. */
const DB_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '53300']);
/** What pg says, without a code, when a connection drops or cannot be had in time. */
const DB_CONNECTION_LOST =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;
/** TypeORM releases a transaction's query runner when its connection errors; later queries in it fail with these. */
const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export function isDatabaseUnavailable(exception: unknown): boolean {
  const err = exception as { name?: unknown; code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  if (!err || typeof err !== 'object') return false;
  if (typeof err.name === 'string' && RELEASED_RUNNER_ERRORS.has(err.name)) return true;
  for (const e of [err, err.driverError]) {
    if (!e) continue;
    if (typeof e.code === 'string' && DB_UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && DB_CONNECTION_LOST.test(e.message)) return true;
  }
  return false;
}

interface Described {
  status: number;
  errorType: ErrorType;
  message: string;
  data: unknown;
  headers?: Record<string, string>;
}

function describe(exception: unknown): Described | null {
  if (exception instanceof AppError) {
    return { status: exception.status, errorType: exception.errorType, message: exception.message, data: exception.data, headers: exception.headers };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const raw: unknown = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    if (status === 404 && /^Cannot [A-Z-]+ \//.test(message)) {
      return { status, errorType: 'NotFoundException', message: 'Route not found', data: null };
    }
    if (status >= 500) return null;
    return { status, errorType: typeFor(status), message, data: null };
  }
  const err = exception as { statusCode?: unknown; code?: unknown; message?: unknown; driverError?: { code?: string } };
  if (exception instanceof QueryFailedError) {
    const code = (err.driverError?.code ?? err.code) as string | undefined;
    const mapped = code ? PG_CLIENT_ERRORS[code] : undefined;
    if (mapped) return { status: mapped[0], errorType: typeFor(mapped[0]), message: mapped[1], data: null };
  }
  const code = typeof err?.code === 'string' ? err.code : err?.driverError?.code;
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      errorType: 'GeneralException',
      message: 'Service temporarily unavailable, please retry',
      data: null,
      headers: { 'Retry-After': '2' },
    };
  }
  // Errors raised by Fastify itself while reading the request (bad JSON, body too large, bad content type).
  if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    const status = err.statusCode;
    let message = typeof err.message === 'string' ? err.message : 'Bad request';
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = `Malformed JSON body: ${message}`;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) message = 'Request body is too large';
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'Unsupported content type';
    return { status, errorType: typeFor(status), message, data: null };
  }
  if (exception instanceof SyntaxError) return { status: 400, errorType: 'InputException', message: `Malformed JSON body: ${exception.message}`, data: null };
  return null;
}

/** The one place every failure becomes the Libredesk error envelope. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<{ id?: string; method?: string; url?: string }>();
    const reply = http.getResponse<FastifyReply>();
    const adapter = this.adapterHost.httpAdapter;
    // Not a failure: a repeated request answered with the response stored for its Idempotency-Key.
    if (exception instanceof IdempotentReplay) {
      adapter.reply(reply, exception.toResponse());
      return;
    }
    let described = describe(exception);
    if (!described) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      this.logger.error(`request ${request?.id ?? '-'} ${request?.method ?? ''} ${redactUrl(request?.url)} failed: ${stack}`);
      described = {
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        errorType: 'GeneralException',
        message: `Something went wrong (request id ${request?.id ?? 'unknown'})`,
        data: null,
      };
    }
    for (const [name, value] of Object.entries(described.headers ?? {})) adapter.setHeader(reply, name, value);
    adapter.reply(reply, errorEnvelope(described.message, described.errorType, described.data), described.status);
  }
}
