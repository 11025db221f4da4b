/**
 * The environment-variable tables of manifests/README.md's configuration reference, generated from the
 * descriptor lists the config modules export (core/env-vars.ts), so a default or a variable can never be
 * documented differently from the code. `npm run docs:config` rewrites the tables; a test checks the README
 * equals what this module renders.
 *
 * Each table sits between `<!-- config-table:start NAME -->` and `<!-- config-table:end NAME -->`; nothing
 * outside the markers is touched.
 */
import { defaultCell, type EnvVar } from '../core/env-vars';
import { SERVE_ENV_VARS } from '../cmp-sidecar/serve/config';
import { serviceEnvVars } from '../generator-service/config';
import { FLEET_VIEW_ENV_VARS } from '../generator-service/fleet-view/config';
import { REGISTRAR_ENV_VARS } from '../generator-service/registrar/config';
import { UPGRADE_ENV_VARS } from '../generator-service/upgrades/config';
import { CLUSTER_SOURCES, type SourceRegistry } from '../plugins/cluster-sources';

export type ConfigTables = Readonly<Record<string, readonly EnvVar[]>>;

/** Table name (as in its markers) → the variables it lists, in order: one table per cluster source, by its kind. */
export function configTables(sources: SourceRegistry = CLUSTER_SOURCES): ConfigTables {
  return {
    generator: serviceEnvVars(sources),
    registrar: REGISTRAR_ENV_VARS,
    upgrades: UPGRADE_ENV_VARS,
    'fleet-view': FLEET_VIEW_ENV_VARS,
    'eks-overlay-serve': SERVE_ENV_VARS,
    ...Object.fromEntries(Object.values(sources).map((m) => [m.kind, m.envVars] as const)),
  };
}

export const CONFIG_TABLES: ConfigTables = configTables();

/** A markdown cell: a `|` would end it. */
function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

/** Display width as prettier counts it for these tables (no wide or combining characters occur in them). */
function width(text: string): number {
  return [...text].length;
}

/**
 * One table, aligned as prettier aligns markdown tables (so `prettier --check`, part of `npm run lint`, agrees
 * with what this writes; prettier itself cannot run inside jest).
 */
export function renderTable(vars: readonly EnvVar[]): string {
  const rows = [
    ['Variable', 'Default', 'Meaning'],
    ...vars.map((v) => [`\`${v.name}\``, cell(defaultCell(v)), cell(v.description)]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(3, ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, c) => text + ' '.repeat((widths[c] ?? 0) - width(text))).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const MARKERS = /(<!-- config-table:start ([\w-]+) -->\n)[\s\S]*?(\n<!-- config-table:end \2 -->)/g;

/**
 * The README with every marked table regenerated. Throws if a table of CONFIG_TABLES has no markers, so a
 * renamed or deleted marker fails loudly instead of leaving a table unchecked.
 */
export function renderConfigReference(
  readme: string,
  tables: ConfigTables = CONFIG_TABLES,
): string {
  const found = new Set<string>();
  const rendered = new Map(
    Object.entries(tables).map(([name, vars]) => [name, renderTable(vars)] as const),
  );
  const out = readme.replace(MARKERS, (whole, start: string, name: string, end: string) => {
    const table = rendered.get(name);
    if (table === undefined) return whole;
    found.add(name);
    return `${start}\n${table}\n${end}`;
  });
  const missing = [...rendered.keys()].filter((n) => !found.has(n));
  if (missing.length > 0) {
    throw new Error(
      `no <!-- config-table:start NAME --> ... <!-- config-table:end NAME --> markers for: ${missing.join(', ')}`,
    );
  }
  return out;
}
