import type { PolicyViolation } from '../policy/types';
import type { AppEntry, AppStatus, PreviewReport } from './model';
import { STATUSES } from './model';

export function toJson(report: PreviewReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface MarkdownLimits {
  /** Characters of the whole comment (GitHub refuses comments over 65,536). */
  readonly maxChars: number;
  /** Items of one list (Applications, clusters) before "… N more". */
  readonly maxItems: number;
  /** Lines of one diff before "… N more lines". */
  readonly maxDiffLines: number;
}

export const DEFAULT_LIMITS: MarkdownLimits = { maxChars: 60_000, maxItems: 30, maxDiffLines: 120 };

const LABEL: Record<AppStatus, string> = {
  removed: 'Removed (Argo CD deletes them)',
  error: 'Errors',
  changed: 'Changed',
  added: 'Added',
  notPreviewed: 'Not previewed',
  unchanged: 'Unchanged',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function capList(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} … ${items.length - max} more` : shown;
}

function capLines(text: string, max: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= max) return lines.join('\n');
  return `${lines.slice(0, max).join('\n')}\n… ${lines.length - max} more lines`;
}

/** Code fences that survive a diff holding backticks. */
function fence(text: string, lang = ''): string {
  const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

const ACTIONS = [
  { action: 'Deny', title: ':no_entry: Policy denials (the render fails on these clusters)' },
  { action: 'Warn', title: 'Policy warnings' },
  { action: 'Audit', title: 'Policy audit' },
] as const;

function violationLine(v: PolicyViolation): string {
  const o = v.object;
  const object = `${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name}`;
  const at =
    o.source === undefined
      ? ''
      : ` (${o.source.file}${o.source.line === undefined ? '' : `:${o.source.line}`})`;
  const by =
    v.engine === 'ValidatingAdmissionPolicy'
      ? `policy \`${v.policy}\`${v.binding === undefined ? '' : ` (binding \`${v.binding}\`)`}`
      : `constraint \`${v.binding ?? ''}\` (template \`${v.policy}\`)`;
  return `\`${object}\`${at}: ${by}: ${v.message}`;
}

/**
 * Denials first, then warnings, then audit. A violation is listed once per ApplicationSet with the Applications and
 * clusters it occurs on (the same violation on 400 clusters is one item, as identical diffs are one change).
 */
function policySections(
  report: PreviewReport,
  limits: MarkdownLimits,
  push: (block: string) => boolean,
  more: (line: string) => void,
): void {
  for (const { action, title } of ACTIONS) {
    const groups = new Map<string, { line: string; set: string; on: string[] }>();
    for (const e of report.applications) {
      for (const v of e.policy ?? []) {
        if (v.action !== action) continue;
        const line = violationLine(v);
        const key = `${e.applicationSet}\0${line}`;
        const g = groups.get(key) ?? { line, set: e.applicationSet, on: [] };
        g.on.push(`\`${e.name}\` on \`${e.cluster}\``);
        groups.set(key, g);
      }
    }
    if (groups.size === 0) continue;
    const list = [...groups.values()].sort(
      (a, b) => b.on.length - a.on.length || (a.set + a.line < b.set + b.line ? -1 : 1),
    );
    const count = list.reduce((n, g) => n + g.on.length, 0);
    if (!push(`### ${title}: ${count}`)) {
      more(`… ${count} policy ${action} violations not shown (see the JSON output)`);
      continue;
    }
    let shown = 0;
    for (const g of list) {
      if (shown >= limits.maxItems) break;
      const item = `- ${g.line}\n  ApplicationSet \`${g.set}\`, ${plural(g.on.length, 'Application')}: ${capList(g.on, limits.maxItems)}`;
      if (!push(item)) break;
      shown++;
    }
    if (shown < list.length) more(`… ${list.length - shown} more`);
  }
}

const where = (e: AppEntry) =>
  `\`${e.name}\` (ApplicationSet \`${e.applicationSet}\`${e.cluster === '' ? '' : `, cluster \`${e.cluster}\``})`;

/**
 * The pull-request comment: the summary table first, then removals and errors (what must block or be looked at),
 * then each distinct change once with the clusters it applies to, folded. Over the size cap, whole sections give way
 * to a "… N more" line rather than being cut mid-way.
 */
export function toMarkdown(report: PreviewReport, limits: MarkdownLimits = DEFAULT_LIMITS): string {
  const s = report.summary;
  const out: string[] = [];
  let used = 0;
  // Room kept for the "… N more" lines, which are always written.
  const budget = limits.maxChars - 200;
  const push = (block: string): boolean => {
    if (used + block.length + 2 > budget) return false;
    out.push(block);
    used += block.length + 2;
    return true;
  };
  const more = (line: string) => {
    out.push(line);
    used += line.length + 2;
  };
  push(`## eks-overlay preview: \`${s.base}\` → \`${s.head}\``);
  const rows = STATUSES.map((st) => `| ${LABEL[st]} | ${s.applications[st]} |`);
  push(
    [
      '| Applications | Count |',
      '| --- | ---: |',
      ...rows,
      '',
      `${s.applicationSets} ApplicationSets, ${s.clusters} clusters; ${s.renders.performed} renders, ${s.renders.skipped} Applications unchanged by input hash (not rendered).`,
    ].join('\n'),
  );
  const changedApps = s.applications.changed + s.applications.added;
  if (report.diffGroups.length > 0) {
    const clusters = new Set(report.diffGroups.flatMap((g) => g.clusters)).size;
    push(
      `This change touches **${plural(changedApps, 'Application')} on ${plural(clusters, 'cluster')} in ${plural(report.diffGroups.length, 'distinct way')}**.`,
    );
  }
  if (s.policy !== null) {
    push(
      `Admission policies: ${plural(s.policy.deny, 'denial')}, ${plural(s.policy.warn, 'warning')}, ${s.policy.audit} audit.`,
    );
  }
  for (const status of ['removed', 'error'] as const) {
    const list = report.applications.filter((e) => e.status === status);
    if (list.length === 0) continue;
    const title =
      status === 'removed'
        ? `### :warning: ${plural(list.length, 'Application')} removed: Argo CD deletes ${list.length === 1 ? 'it' : 'them'} (and, with prune, ${list.length === 1 ? 'its' : 'their'} resources)`
        : `### :x: ${plural(list.length, 'error')}`;
    if (!push(title)) {
      more(
        `… ${list.length} ${status === 'removed' ? 'removed Applications' : 'errors'} not shown (see the JSON output)`,
      );
      continue;
    }
    let shown = 0;
    for (const e of list) {
      if (shown >= limits.maxItems) break;
      // A policy denial is shown in the policy section, grouped across clusters; the JSON keeps the whole message.
      const denied = e.policy?.some((v) => v.action === 'Deny') === true;
      const line =
        status === 'removed'
          ? `- ${where(e)}`
          : denied
            ? `- ${where(e)}: denied by admission policies (see "Policy denials")`
            : `- ${where(e)}\n${fence(capLines(e.error ?? '', limits.maxDiffLines))}`;
      if (!push(line)) break;
      shown++;
    }
    if (shown < list.length) more(`… ${list.length - shown} more`);
  }
  policySections(report, limits, push, more);
  if (report.diffGroups.length > 0) push('### Changes');
  let groupsShown = 0;
  for (const [i, g] of report.diffGroups.entries()) {
    const block = [
      `<details><summary>Change ${i + 1}: ${plural(g.count, 'Application')} on ${plural(g.clusters.length, 'cluster')}</summary>`,
      '',
      `Clusters: ${capList(g.clusters, limits.maxItems)}`,
      '',
      fence(capLines(g.diff, limits.maxDiffLines), 'diff'),
      '</details>',
    ].join('\n');
    if (!push(block)) break;
    groupsShown++;
  }
  if (groupsShown < report.diffGroups.length) {
    more(`… ${report.diffGroups.length - groupsShown} more changes (see the JSON output)`);
  }
  const notPreviewed = report.applications.filter((e) => e.status === 'notPreviewed');
  if (notPreviewed.length > 0 && push(`### Not previewed (${notPreviewed.length})`)) {
    const byReason = new Map<string, string[]>();
    for (const e of notPreviewed) {
      const list = byReason.get(e.reason ?? '') ?? [];
      list.push(e.name);
      byReason.set(e.reason ?? '', list);
    }
    for (const [reason, names] of [...byReason].sort()) {
      if (!push(`- ${reason}: ${capList(names, limits.maxItems)}`)) break;
    }
  }
  return `${out.join('\n\n')}\n`;
}
