import { InputError } from '../errors';
import { inputErrorOf, parseClusterQuery } from './cluster-query';

const messageOf = (parameters: Record<string, unknown>): string => {
  try {
    parseClusterQuery(parameters);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
};

describe('region: one region, an alias of regions: [region]', () => {
  test('region alone selects that region, like regions with one entry', () => {
    expect(parseClusterQuery({ region: 'eu-west-1' }).regions).toEqual(new Set(['eu-west-1']));
    const { regionsParameter, ...alias } = parseClusterQuery({ region: 'eu-west-1' });
    expect(alias).toEqual(parseClusterQuery({ regions: ['eu-west-1'] }));
    // Only the parameter a message names differs.
    expect(regionsParameter).toBe('region');
  });

  test('the shape of the compatible-shape vector (accountIds + region) is accepted', () => {
    const q = parseClusterQuery({ accountIds: ['111111111111'], region: 'eu-west-1' });
    expect(q.accountIds).toEqual(new Set(['111111111111']));
    expect(q.regions).toEqual(new Set(['eu-west-1']));
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      'both given',
      { region: 'eu-west-1', regions: ['eu-west-1'] },
      'input.parameters.region and input.parameters.regions: give one or the other (region is one region, regions a list)',
    ],
    [
      'a list under the singular name',
      { region: ['eu-west-1'] },
      'input.parameters.region: must be a region name such as "eu-west-1", got an array',
    ],
    [
      'an empty string',
      { region: '' },
      'input.parameters.region: must be a region name such as "eu-west-1", got an empty string',
    ],
    [
      'not a region',
      { region: 'Europe' },
      'input.parameters.region: "Europe" is not an AWS region name',
    ],
  ])('%s → 400 naming it', (_case, parameters, message) => {
    expect(messageOf(parameters)).toBe(message);
  });
});

describe('bounded messages', () => {
  test('inputErrorOf lists ten problems, cuts each, and counts the rest', () => {
    const issues = Array.from({ length: 13 }, (_, i) => `p${i}: ${'x'.repeat(i === 0 ? 500 : 1)}`);
    const message = inputErrorOf(issues).message;
    expect(message.startsWith(`p0: ${'x'.repeat(296)}...; p1: x`)).toBe(true);
    expect(message.endsWith('; p9: x; and 3 more problems')).toBe(true);
  });

  test('many unknown keys: ten named, the rest counted', () => {
    const parameters = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 1]));
    expect(messageOf(parameters)).toMatch(
      /^input\.parameters: unknown parameters "k0", .*"k9" and 5 more \(accepted: /,
    );
  });

  test('add-ons: at most 64 names of at most 100 characters', () => {
    expect(messageOf({ addons: Array(65).fill('vpc-cni') })).toBe(
      'input.parameters.addons: has 65 entries, more than the limit of 64',
    );
    expect(messageOf({ addons: ['a'.repeat(101)] })).toMatch(
      /^input\.parameters\.addons\[0\]: "a{60}"\.\.\. \(101 characters\) is longer than 100 characters$/,
    );
  });
});
