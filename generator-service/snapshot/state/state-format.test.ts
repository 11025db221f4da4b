import { aClusterRecord } from '../../../test/helpers/generator';
import { clusterFromRecord, type Cluster } from '../../../core/cluster';
import type { ServedEntry } from '../memory';
import {
  mergeState,
  memoryOf,
  parseState,
  serializeState,
  stateOf,
  type StoredState,
} from './state-format';
import { StateStoreError } from './store';

const cluster = (name: string): Cluster => {
  const c = clusterFromRecord(aClusterRecord({ clusterName: name })).cluster;
  if (c === undefined) throw new Error('bad test record');
  return c;
};
const entry = (name: string, over: Partial<ServedEntry> = {}): ServedEntry => ({
  name,
  absent: 0,
  lastGood: cluster(name),
  held: false,
  ...over,
});
const key = (name: string) => `012345678901/eu-west-1/${name}`;

describe('the stored fleet state', () => {
  test('keeps names and counts of every served cluster, last good clusters only of held ones', () => {
    const memory = new Map([
      [key('a'), entry('a')],
      [key('b'), entry('b', { absent: 1, held: true })],
    ]);
    const state = stateOf(memory);
    expect(state).toEqual({
      served: { [key('a')]: 'a', [key('b')]: 'b' },
      absent: { [key('b')]: 1 },
      lastGood: { [key('b')]: cluster('b') },
    });
    const back = memoryOf(parseState(serializeState(state), 'cm'));
    expect(back.get(key('a'))).toEqual({ name: 'a', absent: 0, lastGood: undefined, held: false });
    expect(back.get(key('b'))).toEqual({
      name: 'b',
      absent: 1,
      lastGood: cluster('b'),
      held: true,
    });
    expect(stateOf(back)).toEqual(state);
  });

  test('10,000 served clusters fit a ConfigMap (1 MiB) with room to spare', () => {
    const memory = new Map(
      Array.from({ length: 10_000 }, (_, i) => {
        const name = `prod-eu-west-1-team-${String(i).padStart(5, '0')}`;
        return [key(name), entry(name, { lastGood: undefined })] as const;
      }),
    );
    expect(Buffer.byteLength(serializeState(stateOf(memory)))).toBeLessThan(800 * 1024);
  });

  test.each<[string, string, string]>([
    ['not JSON', '{', 'cm: not valid JSON'],
    ['another format', '{"format":2}', 'cm: format 2 is not 1'],
    ['a served entry without a name', '{"format":1,"served":{"k":""}}', '"served" must map'],
    [
      'an absence count of a cluster not served',
      '{"format":1,"absent":{"k":1}}',
      '"absent" must map',
    ],
    [
      'a last good value that is not a cluster',
      '{"format":1,"served":{"k":"a"},"lastGood":{"k":{"name":"a"}}}',
      '"lastGood"."k" is not a cluster',
    ],
  ])('a document with %s is refused, naming what is wrong', (_, text, message) => {
    expect(() => parseState(text, 'cm')).toThrow(StateStoreError);
    expect(() => parseState(text, 'cm')).toThrow(message);
  });

  test('a last good cluster stored under another name than "served" says is refused', () => {
    const text = serializeState({
      served: { [key('a')]: 'a' },
      absent: {},
      lastGood: { [key('a')]: cluster('b') },
    });
    expect(() => parseState(text, 'cm')).toThrow('is not named as "served" says');
  });

  test('an empty or missing document is an empty state', () => {
    expect(parseState(undefined, 'cm')).toEqual({ served: {}, absent: {}, lastGood: {} });
    expect(parseState('  ', 'cm')).toEqual({ served: {}, absent: {}, lastGood: {} });
  });

  test('merging: our changes since the common base win per cluster, the rest is theirs', () => {
    const base: StoredState = {
      served: { [key('a')]: 'a', [key('b')]: 'b' },
      absent: {},
      lastGood: {},
    };
    const ours: StoredState = {
      served: { [key('a')]: 'a', [key('b')]: 'b' },
      absent: { [key('a')]: 1 },
      lastGood: { [key('a')]: cluster('a') },
    };
    const theirs: StoredState = {
      served: { [key('a')]: 'a', [key('b')]: 'b', [key('c')]: 'c' }, // they held b and added c
      absent: { [key('b')]: 1 },
      lastGood: { [key('b')]: cluster('b') },
    };
    expect(mergeState(base, ours, theirs)).toEqual({
      served: { [key('a')]: 'a', [key('b')]: 'b', [key('c')]: 'c' },
      absent: { [key('a')]: 1, [key('b')]: 1 },
      lastGood: { [key('a')]: cluster('a'), [key('b')]: cluster('b') },
    });
  });

  test('merging: a cluster we dropped stays dropped; one they dropped and we left alone stays dropped', () => {
    const base: StoredState = {
      served: { [key('a')]: 'a', [key('b')]: 'b' },
      absent: {},
      lastGood: {},
    };
    const ours: StoredState = { served: { [key('b')]: 'b' }, absent: {}, lastGood: {} };
    const theirs: StoredState = {
      served: { [key('a')]: 'a' },
      absent: { [key('a')]: 1 },
      lastGood: {},
    };
    expect(mergeState(base, ours, theirs).served).toEqual({});
  });
});
