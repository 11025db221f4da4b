import type { AppEntry, PreviewReport } from './model';
import { toMarkdown } from './report';

const entry = (i: number, status: AppEntry['status']): AppEntry => ({
  name: `app-${i}`,
  applicationSet: 'set',
  cluster: `cluster-${i}`,
  status,
  policy: null,
});

function report(removed: number, groups: number): PreviewReport {
  return {
    summary: {
      base: 'main',
      head: 'pr',
      applications: { added: 0, removed, changed: groups, unchanged: 0, error: 0, notPreviewed: 0 },
      applicationSets: 1,
      clusters: removed + groups,
      renders: { performed: groups * 2, skipped: 0 },
      policy: null,
    },
    applications: [
      ...Array.from({ length: removed }, (_, i) => entry(i, 'removed')),
      ...Array.from({ length: groups }, (_, i) => ({
        ...entry(1000 + i, 'changed'),
        diffGroup: `g${i}`,
      })),
    ],
    diffGroups: Array.from({ length: groups }, (_, i) => ({
      id: `g${i}`,
      count: 1,
      clusters: [`cluster-${1000 + i}`],
      applications: [`app-${1000 + i}`],
      diff: `~~~ core/ConfigMap/-/c\n${'-a: 1\n+a: 2\n'.repeat(200)}`,
    })),
  };
}

test('summary table first, removals before changes, each change folded', () => {
  const md = toMarkdown(report(2, 1));
  expect(md.indexOf('| Applications | Count |')).toBeLessThan(
    md.indexOf('removed: Argo CD deletes'),
  );
  expect(md.indexOf('removed: Argo CD deletes')).toBeLessThan(md.indexOf('### Changes'));
  expect(md).toContain('<details><summary>Change 1: 1 Application on 1 cluster</summary>');
});

test('over the caps: "… N more" instead of a cut, and the whole comment within the size cap', () => {
  const limits = { maxChars: 8000, maxItems: 5, maxDiffLines: 20 };
  const md = toMarkdown(report(40, 30), limits);
  expect(md.length).toBeLessThanOrEqual(limits.maxChars);
  expect(md).toContain('… 35 more\n');
  expect(md).toContain('… 381 more lines\n');
  expect(md).toMatch(/… \d+ more changes \(see the JSON output\)\n$/);
  // Every fence that opens is closed.
  expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
});

test('policy violations: denials before warnings, one item per violation with every Application and cluster, capped', () => {
  const violation = (action: 'Deny' | 'Warn', name: string) => ({
    engine: 'ValidatingAdmissionPolicy' as const,
    policy: `p-${name}`,
    binding: `b-${name}`,
    action,
    message: `${name} is not allowed`,
    object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name },
    policySource: { file: '/policies/p.yaml', line: 1 },
  });
  const apps: AppEntry[] = Array.from({ length: 8 }, (_, i) => ({
    ...entry(i, 'error'),
    error: 'admission policies denied the render',
    policy: [violation('Warn', 'w'), violation('Deny', 'd'), violation('Deny', `only-${i}`)],
  }));
  const md = toMarkdown(
    {
      ...report(0, 0),
      summary: { ...report(0, 0).summary, policy: { deny: 16, warn: 8, audit: 0 } },
      applications: apps,
    },
    { maxChars: 60_000, maxItems: 3, maxDiffLines: 20 },
  );
  expect(md).toContain('Admission policies: 16 denials, 8 warnings, 0 audit.');
  expect(md.indexOf('Policy denials')).toBeLessThan(md.indexOf('Policy warnings'));
  // The shared denial comes first, once, with its 8 Applications (capped at 3 names).
  expect(md).toContain(
    '### :no_entry: Policy denials (the render fails on these clusters): 16\n\n' +
      '- `ConfigMap ns/d`: policy `p-d` (binding `b-d`): d is not allowed\n' +
      '  ApplicationSet `set`, 8 Applications: `app-0` on `cluster-0`, `app-1` on `cluster-1`, `app-2` on `cluster-2` … 5 more\n',
  );
  // 9 distinct denials, 3 shown.
  expect(md).toContain('only-1 is not allowed');
  expect(md).not.toContain('only-2 is not allowed');
  expect(md).toContain('… 6 more\n');
  // Denied Applications point to the policy section instead of repeating the message.
  expect(md).toContain(
    '- `app-0` (ApplicationSet `set`, cluster `cluster-0`): denied by admission policies (see "Policy denials")',
  );
});
