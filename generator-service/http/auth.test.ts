import { ForbiddenError, UnauthorizedError } from '../../core/errors';
import { checkBearer } from './auth';

describe('checkBearer', () => {
  test.each<
    [
      string,
      string | undefined,
      string | undefined,
      typeof UnauthorizedError | typeof ForbiddenError | undefined,
    ]
  >([
    ['the right token', 'Bearer abc', 'abc', undefined],
    ['a lowercase scheme', 'bearer abc', 'abc', undefined],
    [
      'a stored token with a trailing newline (trimmed like Argo CD)',
      'Bearer abc',
      'abc\n',
      undefined,
    ],
    ['no header', undefined, 'abc', UnauthorizedError],
    ['an empty header', '', 'abc', UnauthorizedError],
    ['Basic auth', 'Basic YWJjOmFiYw==', 'abc', UnauthorizedError],
    ['the token without a scheme', 'abc', 'abc', UnauthorizedError],
    ['a wrong token', 'Bearer abd', 'abc', ForbiddenError],
    ['a longer token', 'Bearer abcd', 'abc', ForbiddenError],
    ['an empty presented token against an empty stored one', 'Bearer ', '', UnauthorizedError],
    ['any token when none is configured', 'Bearer abc', undefined, ForbiddenError],
  ])('%s', (_case, header, expected, error) => {
    if (error === undefined) expect(() => checkBearer(header, expected)).not.toThrow();
    else expect(() => checkBearer(header, expected)).toThrow(error);
  });

  test('messages never contain either token', () => {
    try {
      checkBearer('Bearer presented-value', 'stored-value');
    } catch (e) {
      expect((e as Error).message).toBe('invalid bearer token');
    }
  });

  test('a rotated token takes effect at once: the old one is refused, the new one accepted', () => {
    expect(() => checkBearer('Bearer first', 'first')).not.toThrow();
    expect(() => checkBearer('Bearer first', 'second')).toThrow(ForbiddenError);
    expect(() => checkBearer('Bearer second', 'second')).not.toThrow();
    expect(() => checkBearer('Bearer second', undefined)).toThrow(ForbiddenError);
    expect(() => checkBearer('Bearer second', 'second\n')).not.toThrow();
    expect(() => checkBearer('Bearer first', 'first')).not.toThrow();
  });
});
