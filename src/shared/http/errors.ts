/** Error types of the Libredesk envelope (DECISIONS.md). */
export type ErrorType =
  | 'InputException'
  | 'UnauthorizedException'
  | 'PermissionException'
  | 'NotFoundException'
  | 'ConflictException'
  | 'PayloadTooLargeException'
  | 'PreconditionFailedException'
  | 'RateLimitException'
  | 'NetworkException'
  | 'GeneralException';

/**
 * A failure a service reports on purpose. The exception filter turns it into the error envelope
 * with its status and type; services never build HTTP responses themselves.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: ErrorType,
    message: string,
    readonly data: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class InvalidInput extends AppError {
  constructor(message: string, data: unknown = null) {
    super(400, 'InputException', message, data);
  }
}

/** Invalid input naming the offending fields: `{"fields": {"email": "must be an email"}}`. */
export class InvalidFields extends InvalidInput {
  constructor(fields: Record<string, string>, message?: string) {
    super(
      message ??
        Object.entries(fields)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; '),
      { fields },
    );
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found') {
    super(404, 'NotFoundException', message);
  }
}

export class Conflict extends AppError {
  constructor(message: string) {
    super(409, 'ConflictException', message);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'Permission denied') {
    super(403, 'PermissionException', message);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Invalid credentials') {
    super(401, 'UnauthorizedException', message);
  }
}

export class PayloadTooLarge extends AppError {
  constructor(message = 'Request body is too large') {
    super(413, 'PayloadTooLargeException', message);
  }
}

/** `If-Match` named a version of the resource that is no longer current. */
export class PreconditionFailed extends AppError {
  constructor(message = 'The resource has changed: If-Match does not match its current ETag. Read it again and retry.') {
    super(412, 'PreconditionFailedException', message);
  }
}

/**
 * What the request points at existed once and is gone for good (a feed cursor behind the retained
 * events). The contract knows no error type for it: the status tells it apart from a 400.
 */
export class Gone extends AppError {
  constructor(message: string) {
    super(410, 'InputException', message);
  }
}

/** An upstream dependency (database, AI provider, mail server) failed or is away. */
export class UpstreamError extends AppError {
  constructor(status: 502 | 503 | 504, message: string) {
    super(status, status === 504 ? 'NetworkException' : 'GeneralException', message);
  }
}
