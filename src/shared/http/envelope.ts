import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';
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

export const errorEnvelope = (message: string, errorType: ErrorType, data: unknown = null): ErrorEnvelope => ({
  status: 'error',
  message,
  data,
  error_type: errorType,
});

const RAW_RESPONSE = 'raw-response';
const wrap = (data: unknown) => success(data === undefined ? true : data);
/** The route writes its own body (a file download); the envelope is not applied. */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

/** Wraps every handler's return value in `{"status":"success","data":...}`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  /** Whether each controller's handler is @RawResponse(), looked up once rather than per request. */
  private readonly raw = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.raw.get(controller);
    if (!byHandler) this.raw.set(controller, (byHandler = new WeakMap()));
    let raw = byHandler.get(handler);
    if (raw === undefined) {
      raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [handler, controller]) ?? false;
      byHandler.set(handler, raw);
    }
    if (raw) return next.handle();
    return next.handle().pipe(map(wrap));
  }
}
