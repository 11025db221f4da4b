import { RenderError, ValidationError } from '../../core/errors';
import type { RenderedObject } from '../render/types';
import { recordInlinedSecrets } from '../secrets/inlined-values';
import { unexpectedKroFailure } from './secret-redaction';

const SECRET = 'hunter2-planted-value';
const rendered = (object: Record<string, unknown>): RenderedObject => ({
  object,
  source: { file: 'base/rgd.yaml' },
});

describe('an unexpected failure inside the kro checks', () => {
  test('quotes nothing when the render holds inline secret values (a parser may quote the text it choked on)', () => {
    const rgd = { kind: 'ResourceGraphDefinition', spec: { schema: { spec: { x: SECRET } } } };
    recordInlinedSecrets(rgd, { paths: [['spec', 'schema', 'spec', 'x']], values: [SECRET] });
    const e = unexpectedKroFailure(new TypeError(`cannot parse ${SECRET}`), [rendered(rgd)]);
    expect(e).toBeInstanceOf(RenderError);
    expect(e.message).not.toContain(SECRET);
    expect(e.message).toMatch(/message withheld/);
    expect(e.cause).toBeUndefined();
  });

  test('keeps its message when no secret value was written into the render', () => {
    const e = unexpectedKroFailure(new TypeError('cannot parse ${x'), [rendered({ kind: 'X' })]);
    expect(e.message).toBe('kro: the checks failed unexpectedly: cannot parse ${x');
  });

  test('an AppError passes through unchanged (its message was built to name what is at fault)', () => {
    const original = new ValidationError('kro: 1 problem(s)');
    expect(unexpectedKroFailure(original, [])).toBe(original);
  });
});
