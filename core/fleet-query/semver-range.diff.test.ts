import fc from 'fast-check';
import * as before from './semver-range';
import * as after from './version-range';

/**
 * The node-semver reading of `kubernetesVersion` (version-range.ts) against the hand-written matcher it replaces
 * (semver-range.ts): the same texts refused with the same message, and the same cluster versions selected by
 * every range both accept. Version numbers stay below 2^53 - 1 (from there on the new reading refuses the range).
 */

const number = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.constantFrom('0', '00', '01', '030', '1000', '9007199254740990'),
);
const part = fc.oneof({ weight: 4, arbitrary: number }, fc.constantFrom('x', 'X', '*'));
const partial = fc
  .tuple(fc.constantFrom('', '', '', 'v'), fc.array(part, { minLength: 1, maxLength: 3 }))
  .map(([v, parts]) => v + parts.join('.'));
const op = fc.constantFrom('', '', '=', '<', '<=', '>', '>=', '~', '~>', '^');
const space = fc.constantFrom('', '', ' ', '  ', '\t');
const comparator = fc.tuple(op, space, partial).map(([o, s, p]) => (o === '' ? p : o + s + p));
const hyphen = fc
  .tuple(partial, fc.constantFrom(' - ', '  -  ', ' -\t'), partial)
  .map(([a, h, b]) => a + h + b);
const conjunction = fc.oneof(
  fc.array(comparator, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(' ')),
  hyphen,
);
const wellFormed = fc
  .array(conjunction, { minLength: 1, maxLength: 3 })
  .chain((alts) => fc.constantFrom(' || ', '||', ' ||').map((sep) => alts.join(sep)));

/** Texts near the grammar: well-formed ones with a character dropped, doubled or replaced, and noise. */
const noiseChar = fc.constantFrom(...'0123456789.xX*vV<>=~^|- \tab+'.split(''));
const mutated = fc
  .tuple(wellFormed, fc.nat(), noiseChar, fc.constantFrom('drop', 'insert', 'replace'))
  .map(([text, at, c, how]) => {
    const i = at % (text.length + 1);
    if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
    if (how === 'insert') return text.slice(0, i) + c + text.slice(i);
    return text.slice(0, i) + c + text.slice(i + 1);
  });
const noise = fc.string({ unit: noiseChar, maxLength: 12 });
/** The domain both readings share: every number below 2^53 - 1. */
const belowTwoTo53 = (text: string): boolean =>
  (text.match(/\d+/g) ?? []).every((n) => Number(n) < Number.MAX_SAFE_INTEGER);
const rangeText = fc
  .oneof({ weight: 3, arbitrary: wellFormed }, mutated, noise)
  .filter(belowTwoTo53);

const clusterVersion = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(number, number).map(([a, b]) => `${a}.${b}`) },
  fc.tuple(number, number, number).map(([a, b, c]) => `${a}.${b}.${c}`),
  number.map((n) => `v${n}`),
  fc.constantFrom('latest', '1.30-eks', '', ' 1.30 ', '1.30.2.1', '1.x', 'v1.30.0'),
);

type Outcome = { refused: string } | { selects: boolean[] };

function outcome(
  parse: (text: string) => unknown,
  inRange: (version: string, range: never) => boolean,
  text: string,
  versions: readonly string[],
): Outcome {
  let range: unknown;
  try {
    range = parse(text);
  } catch (e) {
    return { refused: (e as Error).message };
  }
  return { selects: versions.map((v) => inRange(v, range as never)) };
}

describe('kubernetesVersion read by node-semver, against the hand-written matcher', () => {
  test('the same ranges refused with the same message, the same versions selected', () => {
    fc.assert(
      fc.property(
        rangeText,
        fc.array(clusterVersion, { minLength: 1, maxLength: 8 }),
        (text, vs) => {
          expect(outcome(after.parseVersionRange, after.versionInRange, text, vs)).toEqual(
            outcome(before.parseVersionRange, before.versionInRange, text, vs),
          );
        },
      ),
      { seed: 23, numRuns: 20_000 },
    );
  });

  test('the README forms over the EKS versions', () => {
    const forms = ['>=1.29 <1.31', '~1.30', '1.30.x', '^1', '1.28 - 1.30', '1.29 || 1.31', '1.30'];
    const versions = ['1.27', '1.28', '1.29', '1.30', '1.30.2', '1.31', '1.32', '2.0'];
    for (const text of forms) {
      expect([
        text,
        outcome(after.parseVersionRange, after.versionInRange, text, versions),
      ]).toEqual([text, outcome(before.parseVersionRange, before.versionInRange, text, versions)]);
    }
  });
});
