// Domain errors: each carries the HTTP status and a stable code. Handlers never build error
// responses by hand; lib/http maps these (and only these) to the product's error shape.

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
    /** Extra fields for the error body, e.g. the current state on a 409. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: ErrorDetail[]) {
    super(400, "invalid_request", message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Sign in, or send a valid API key as `Authorization: Bearer <key>`.") {
    super(401, "unauthorized", message);
  }
}

export class ForbiddenError extends AppError {
  /** `details`: which fields asked for what is not allowed, e.g. `events.3.config`. */
  constructor(message: string, details?: ErrorDetail[]) {
    super(403, "forbidden", message, details);
  }
}

export class NotFoundError extends AppError {
  /** `details`: which fields named what was not found, e.g. `events.3.requestId`. */
  constructor(message: string, details?: ErrorDetail[]) {
    super(404, "not_found", message, details);
  }
}

export class ConflictError extends AppError {
  /** `current`: the state the caller lost to, so a client can show it and retry; `details`: which fields conflict. */
  constructor(message: string, current?: unknown, details?: ErrorDetail[]) {
    super(409, "conflict", message, details, undefined, current === undefined ? undefined : { current });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = "Send the body as JSON with `Content-Type: application/json`.") {
    super(415, "unsupported_media_type", message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body is larger than the limit of ${limitBytes} bytes.`);
  }
}

export class DatabaseUnavailableError extends AppError {
  constructor(retryAfterSeconds = 5) {
    super(503, "database_unavailable", "The database is unavailable; retry later.", undefined, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

/** The database answers, but this request waited too long for a turn (a burst on the same rows). */
export class ServerBusyError extends AppError {
  constructor(retryAfterSeconds = 1) {
    super(503, "busy", "The server is busy with other writes to the same data; retry in a moment.", undefined, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(allowed: readonly string[]) {
    super(405, "method_not_allowed", `Use ${allowed.join(" or ")} here.`, undefined, { Allow: allowed.join(", ") });
  }
}

/** A session signed in with a generated one-time password may do nothing but replace it. */
export class PasswordChangeRequiredError extends AppError {
  constructor() {
    super(
      403,
      "password_change_required",
      "This session was signed in with a one-time password, which allows nothing but choosing your own: do that at /account/password first.",
    );
  }
}

/** Too many wrong passwords for an account or from an address (lib/auth/login-throttle.ts). */
export class TooManyAttemptsError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, "too_many_attempts", message, undefined, { "Retry-After": String(retryAfterSeconds) });
  }
}
