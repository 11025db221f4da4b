/**
 * The fault matrix's vocabulary: a row is one fault against one component, with the behaviour the operator is
 * promised written as a short phrase, and a probe that drives the real component against the fakes and describes
 * what it did in the same phrases. The suite asserts expected === observed and prints the table.
 */
export type Component = 'generator' | 'registrar' | 'inline secrets';

export interface MatrixRow {
  readonly component: Component;
  readonly fault: string;
  /** The promised behaviour, in the phrases the probe uses. */
  readonly expected: string;
  /** Drives the component through the fault and describes what it did. */
  readonly observe: () => Promise<string>;
}

export interface MatrixResult {
  readonly component: Component;
  readonly fault: string;
  readonly expected: string;
  readonly observed: string;
  readonly ok: boolean;
}

/** Joins phase descriptions: `cold: 503 {message} · warm: 200 = last good (8)`. */
export function phases(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([phase, what]) => `${phase}: ${what}`)
    .join(' · ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown summary: component | fault | expected | observed | ok, in row order. */
export function markdownTable(results: readonly MatrixResult[]): string {
  const lines = [
    '| component | fault | expected | observed | ok |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.component} | ${cell(r.fault)} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.ok ? '✓' : '✗'} |`,
    ),
  ];
  const failed = results.filter((r) => !r.ok).length;
  return `${lines.join('\n')}\n\n${results.length} rows, ${results.length - failed} as expected, ${failed} not.\n`;
}
