/**
 * Terraform states built in the tests, in both forms the import reads: the raw state file (format version 4) and
 * `terraform show -json` output. A resource is written once and rendered into either.
 */
export type Path = (string | number)[];

export interface InstanceSpec {
  readonly key?: string | number;
  readonly attributes: Record<string, unknown>;
  /** Attribute paths the state marks sensitive. */
  readonly sensitive?: readonly Path[];
}

export interface ResourceSpec {
  readonly module?: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly provider?: string;
  readonly instances: readonly InstanceSpec[];
}

const AWS = 'provider["registry.terraform.io/hashicorp/aws"]';

function indexSuffix(key: string | number | undefined): string {
  return key === undefined ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

export function rawState(resources: readonly ResourceSpec[], version = 4): string {
  return JSON.stringify(
    {
      version,
      terraform_version: '1.9.8',
      serial: 42,
      lineage: '3f1c2a9e-0000-4000-8000-000000000000',
      outputs: {},
      resources: resources.map((r) => ({
        ...(r.module ? { module: r.module } : {}),
        mode: r.mode ?? 'managed',
        type: r.type,
        name: r.name,
        provider: r.provider ?? AWS,
        ...(r.instances.some((i) => typeof i.key === 'number')
          ? { each: 'list' }
          : r.instances.some((i) => typeof i.key === 'string')
            ? { each: 'map' }
            : {}),
        instances: r.instances.map((i) => ({
          ...(i.key === undefined ? {} : { index_key: i.key }),
          schema_version: 1,
          attributes: i.attributes,
          sensitive_attributes: (i.sensitive ?? []).map((p) =>
            p.map((s) =>
              typeof s === 'number'
                ? { type: 'index', value: { value: s, type: 'number' } }
                : { type: 'get_attr', value: s },
            ),
          ),
          private: 'eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==',
          dependencies: [],
        })),
      })),
      check_results: null,
    },
    null,
    2,
  );
}

function mask(paths: readonly Path[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    let node: Record<string | number, unknown> = out;
    p.forEach((step, i) => {
      if (i === p.length - 1) node[step] = true;
      else {
        const next = typeof p[i + 1] === 'number' ? [] : {};
        node[step] ??= next;
        node = node[step] as Record<string | number, unknown>;
      }
    });
  }
  return out;
}

export function showJson(resources: readonly ResourceSpec[]): string {
  interface Mod {
    address?: string;
    resources: unknown[];
    child_modules?: Mod[];
  }
  const root: Mod = { resources: [] };
  const modules = new Map<string, Mod>([['', root]]);
  const moduleFor = (address: string): Mod => {
    const found = modules.get(address);
    if (found) return found;
    const parentAddress = address.replace(/\.?module\.[^.]+(\[[^\]]*\])?$/, '');
    const parent = moduleFor(parentAddress);
    const mod: Mod = { address, resources: [] };
    parent.child_modules = [...(parent.child_modules ?? []), mod];
    modules.set(address, mod);
    return mod;
  };
  for (const r of resources) {
    const mod = moduleFor(r.module ?? '');
    for (const i of r.instances) {
      const address = `${r.module ? `${r.module}.` : ''}${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${indexSuffix(i.key)}`;
      mod.resources.push({
        address,
        mode: r.mode ?? 'managed',
        type: r.type,
        name: r.name,
        ...(i.key === undefined ? {} : { index: i.key }),
        provider_name: 'registry.terraform.io/hashicorp/aws',
        schema_version: 1,
        values: i.attributes,
        sensitive_values: mask(i.sensitive ?? []),
      });
    }
  }
  return JSON.stringify(
    {
      format_version: '1.0',
      terraform_version: '1.9.8',
      values: { outputs: {}, root_module: root },
    },
    null,
    2,
  );
}
