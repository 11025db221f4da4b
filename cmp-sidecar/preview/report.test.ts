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
