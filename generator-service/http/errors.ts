import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isAppError, type ErrorCode } from '../../core/errors';
import type { Logger } from '../../core/logger';

/** Every error reply: `message` is what Argo CD shows on the ApplicationSet (argocd-contract.md §A4). */
export interface ErrorBody {
  readonly message: string;
  readonly code: string;
}

export interface HttpErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
}

/** The one place error classes become HTTP statuses. */
export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case 'ERR_INPUT':
      return 400;
    case 'ERR_UNAUTHORIZED':
      return 401;
    case 'ERR_FORBIDDEN':
      return 403;
    case 'ERR_NOT_READY':
    case 'ERR_SOURCE_UNAVAILABLE':
      return 503;
    case 'ERR_SOURCE_FORBIDDEN':
      return 502;
    case 'ERR_CONFIG':
    case 'ERR_REGISTRY_INVALID':
    case 'ERR_RENDER':
    case 'ERR_RENDER_EMPTY':
    case 'ERR_SECRET':
    case 'ERR_VALIDATION':
    case 'ERR_POLICY_DENIED':
    case 'ERR_KUBERNETES':
    case 'ERR_UPGRADE':
    case 'ERR_INTERNAL':
      return 500;
  }
}

/**
 * Errors raised by express's body reader (http-errors) carry a status and usually a `type` such as
 * `entity.too.large`; a body that fails to inflate (`Content-Encoding: gzip` with bytes that are not gzip) is the
 * zlib error itself with a 400 status and no type.
 */
interface BodyReaderError {
  readonly type?: string;
  readonly status: number;
  readonly limit?: number;
}

function isBodyReaderError(e: unknown): e is BodyReaderError {
  if (typeof e !== 'object' || e === null) return false;
  const { type, status } = e as { type?: unknown; status?: unknown };
  return (type === undefined || typeof type === 'string') && typeof status === 'number';
}

/**
 * Maps any thrown value to a status and a short, secret-free body. Internal (500) and unknown errors get a
 * generic message with a log id; the details go to the log only.
 */
export function toHttpError(e: unknown, logId: () => string = newLogId): HttpErrorReply {
  if (isAppError(e)) {
    const status = statusForCode(e.code);
    if (status < 500 || status === 502 || status === 503) {
      return { status, body: { message: e.message, code: e.code } };
    }
    return internal(logId());
  }
  if (isBodyReaderError(e)) {
    if (e.type === 'entity.too.large') {
      return {
        status: 413,
        body: {
          message: `request body is larger than the limit of ${e.limit ?? 'the configured'} bytes`,
          code: 'ERR_INPUT',
        },
      };
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return {
        status: 415,
        body: { message: 'request body encoding is not supported', code: 'ERR_INPUT' },
      };
    }
    if (e.status >= 400 && e.status < 500) {
      return {
        status: 400,
        body: { message: 'request body could not be read', code: 'ERR_INPUT' },
      };
    }
  }
  return internal(logId());
}

function internal(logId: string): HttpErrorReply {
  return {
    status: 500,
    body: { message: `internal error (log id ${logId})`, code: 'ERR_INTERNAL' },
  };
}

function newLogId(): string {
  return randomBytes(6).toString('hex');
}

export function sendError(res: Response, reply: HttpErrorReply): void {
  res.status(reply.status).json(reply.body);
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let logId: string | undefined;
    const reply = toHttpError(err, () => (logId = newLogId()));
    if (logId !== undefined) {
      log.error('request failed with an internal error', { logId, path: req.path, error: err });
    } else if (reply.status >= 500) {
      log.warn('request refused', {
        path: req.path,
        status: reply.status,
        message: reply.body.message,
      });
    }
    sendError(res, reply);
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendError(res, {
    status: 404,
    body: {
      message: `no route for ${req.method} ${req.path} (the generator answers POST .../api/v1/getparams.execute)`,
      code: 'ERR_INPUT',
    },
  });
};

export const methodNotAllowed =
  (allowed: string): RequestHandler =>
  (req, res) => {
    res.setHeader('Allow', allowed);
    sendError(res, {
      status: 405,
      body: {
        message: `method ${req.method} not allowed on ${req.path}; use ${allowed}`,
        code: 'ERR_INPUT',
      },
    });
  };
