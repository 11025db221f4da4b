import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppError } from '../../core/errors';
import {
  ConfigError,
  EmptyRenderError,
  ForbiddenError,
  InputError,
  KubernetesError,
  NotReadyError,
  RegistryInvalidError,
  RenderError,
  SecretError,
  SourceForbiddenError,
  SourceUnavailableError,
  UnauthorizedError,
  ValidationError,
  type ErrorCode,
} from '../../core/errors';
import { statusForCode, toHttpError } from './errors';

const fixedId = () => 'abc123';

describe('error → HTTP status (the only place it happens)', () => {
  test.each<[string, AppError, number, string]>([
    ['InputError', new InputError('input.parameters.x: bad'), 400, 'input.parameters.x: bad'],
    [
      'UnauthorizedError',
      new UnauthorizedError('missing bearer token'),
      401,
      'missing bearer token',
    ],
    ['ForbiddenError', new ForbiddenError('invalid bearer token'), 403, 'invalid bearer token'],
    ['NotReadyError', new NotReadyError('not loaded'), 503, 'not loaded'],
    ['SourceUnavailableError', new SourceUnavailableError('eks down'), 503, 'eks down'],
    ['SourceForbiddenError', new SourceForbiddenError('AccessDenied'), 502, 'AccessDenied'],
    ['ConfigError', new ConfigError(['secret-ish detail']), 500, 'internal error (log id abc123)'],
    [
      'RegistryInvalidError',
      new RegistryInvalidError(['dup']),
      500,
      'internal error (log id abc123)',
    ],
  ])('%s → %i with a short message', (_name, err, status, message) => {
    expect(toHttpError(err, fixedId)).toEqual({
      status,
      body: { message, code: status === 500 ? 'ERR_INTERNAL' : err.code },
    });
  });

  test('an unknown thrown value → 500 with a generic message', () => {
    expect(toHttpError(new TypeError('x is undefined'), fixedId)).toEqual({
      status: 500,
      body: { message: 'internal error (log id abc123)', code: 'ERR_INTERNAL' },
    });
    expect(toHttpError('a string', fixedId).status).toBe(500);
  });

  test('body reader errors: too large → 413, bad encoding → 415, other client faults → 400', () => {
    expect(toHttpError({ type: 'entity.too.large', status: 413, limit: 10 }).status).toBe(413);
    expect(toHttpError({ type: 'encoding.unsupported', status: 415 }).status).toBe(415);
    expect(toHttpError({ type: 'request.aborted', status: 400 }).status).toBe(400);
  });

  test('every error code has a status and a row in generator-service/README.md', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const all: ErrorCode[] = [
      new InputError('').code,
      new UnauthorizedError('').code,
      new ForbiddenError('').code,
      new ConfigError([]).code,
      new NotReadyError('').code,
      new SourceUnavailableError('').code,
      new SourceForbiddenError('').code,
      new RegistryInvalidError([]).code,
      new RenderError('').code,
      new EmptyRenderError('').code,
      new SecretError('').code,
      new ValidationError('').code,
      new KubernetesError('').code,
      'ERR_INTERNAL',
    ];
    for (const code of all) {
      expect(statusForCode(code)).toBeGreaterThanOrEqual(400);
      expect(readme).toContain(`\`${code}\``);
    }
  });
});
