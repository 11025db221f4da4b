import { siteIdentifiers } from '../expressions/sites';
import type { RgdRule } from './rule';

/** R12: references from templates, externalRefs, forEach and includeWhen form an acyclic graph. */
const EDGE_CONTEXTS = new Set(['template', 'externalRef', 'forEach', 'includeWhen']);

export function dependencyGraph(input: Parameters<RgdRule>[0]): Map<string, string[]> {
  const { rgd, sites } = input;
  const ids = new Set(rgd.ids);
  const graph = new Map<string, string[]>();
  for (const id of rgd.ids) graph.set(id, []);
  for (const s of sites) {
    const from = s.resource?.id;
    if (from === undefined || !EDGE_CONTEXTS.has(s.context)) continue;
    const deps = graph.get(from) ?? [];
    for (const to of siteIdentifiers(s))
      if (ids.has(to) && to !== from && !deps.includes(to)) deps.push(to);
    graph.set(from, deps);
  }
  return graph;
}

export const dependenciesRule: RgdRule = (input) => {
  const graph = dependencyGraph(input);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (id: string): void => {
    if (cycle) return;
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of graph.get(id) ?? []) {
      const st = state.get(dep);
      if (st === 'visiting') {
        cycle = [...stack.slice(stack.indexOf(dep)), dep];
        return;
      }
      if (st === undefined) visit(dep);
      if (cycle) return;
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of graph.keys()) if (!state.has(id)) visit(id);
  if (!cycle) return [];
  const first = cycle[0] ?? '';
  const r = input.rgd.resources.find((x) => x.id === first);
  return [
    {
      resourceId: first,
      path: r?.path ?? 'spec.resources',
      message: `graph contains a cycle: ${cycle.join(' -> ')}`,
    },
  ];
};
