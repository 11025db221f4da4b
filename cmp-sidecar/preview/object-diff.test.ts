import { diffRenders, parseObjects, unifiedDiff } from './object-diff';

test('objects are keyed by group/kind/namespace/name; key order and formatting are not changes', () => {
  const base = parseObjects(
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {x: "1", y: "2"}\n',
  );
  const head = parseObjects(
    '---\nkind: ConfigMap\napiVersion: v1\ndata:\n  y: "2"\n  x: "1"\nmetadata:\n  namespace: n\n  name: a\n',
  );
  expect([...base.keys()]).toEqual(['core/ConfigMap/n/a']);
  expect(diffRenders(base, head)).toBe('');
});

test('added, removed and changed objects, each with unified hunks, in key order', () => {
  const base = parseObjects(
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
  );
  const head = parseObjects(
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 2}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: v}\n',
  );
  expect(diffRenders(base, head)).toBe(
    [
      '~~~ apps/Deployment/-/d',
      '@@ -3,4 +3,4 @@',
      ' metadata:',
      '   name: d',
      ' spec:',
      '-  replicas: 1',
      '+  replicas: 2',
      '--- removed core/Secret/-/s',
      '@@ -1,4 +0,0 @@',
      '-apiVersion: v1',
      '-kind: Secret',
      '-metadata:',
      '-  name: s',
      '+++ added core/Service/-/v',
      '@@ -0,0 +1,4 @@',
      '+apiVersion: v1',
      '+kind: Service',
      '+metadata:',
      '+  name: v',
      '',
    ].join('\n'),
  );
});

test('distant changes are separate hunks with three lines of context', () => {
  const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
  const b = a.replace('l2\n', 'L2\n').replace('l17', 'L17');
  expect(unifiedDiff(a, b)).toBe(
    [
      '@@ -1,6 +1,6 @@',
      ' l0',
      ' l1',
      '-l2',
      '+L2',
      ' l3',
      ' l4',
      ' l5',
      '@@ -15,6 +15,6 @@',
      ' l14',
      ' l15',
      ' l16',
      '-l17',
      '+L17',
      ' l18',
      ' l19',
      '',
    ].join('\n'),
  );
});
