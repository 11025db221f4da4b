/**
 * Prototype pollution, checked in-process (the CLI's run() with a memory io, so Object.prototype of this very
 * process is what a hostile input would have reached): `__proto__` / `constructor.prototype` in YAML keys of base
 * and overlay files (merged), in eks-overlay.yaml sections, in the cluster context and in parameters.
 */
import { runInProcess } from '../cmp/helpers';
import { argoEnv, baseApp, CONFIG, makeRepo, write } from './eks-overlay-repos';
import type { HostileRepo } from './eks-overlay-repos';

const PROTO_KEYS = `__proto__:\n    polluted: yes\n  constructor:\n    prototype:\n      polluted: yes\n`;

interface Case {
  readonly name: string;
  readonly build?: (r: HostileRepo) => void;
  readonly env?: Readonly<Record<string, string>>;
  /** Rendered (the keys are plain data) or refused with a config/render error. */
  readonly outcome: 'rendered' | 'refused';
}

const cases: Case[] = [
  {
    name: 'YAML keys __proto__ and constructor in a base file and its overlay (merged)',
    build: (r) =>
      write(r.app, {
        'base/p.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  ${PROTO_KEYS}`,
        'envs/prod/p.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  ${PROTO_KEYS.replace(/yes/g, 'again')}`,
      }),
    outcome: 'rendered',
  },
  {
    name: 'a whole object named by __proto__ keys at the top',
    build: (r) =>
      write(r.app, {
        'base/p.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n  ${PROTO_KEYS}`,
      }),
    outcome: 'rendered',
  },
  {
    name: 'eks-overlay.yaml sections with __proto__ keys',
    build: (r) =>
      write(r.app, {
        'eks-overlay.yaml': `${CONFIG}secrets:\n  ${PROTO_KEYS}parameters:\n  - name: m\n    map:\n      __proto__: x\n`,
      }),
    outcome: 'refused',
  },
  {
    name: 'a cluster context with __proto__ keys',
    env: {
      ARGOCD_ENV_CLUSTER_CONTEXT:
        '{"name":"x","__proto__":{"polluted":"yes"},"metadata":{"labels":{"env":"prod"},"__proto__":{"polluted":"yes"}}}',
    },
    outcome: 'refused',
  },
  {
    name: 'parameters with __proto__ names and keys',
    env: {
      ARGOCD_APP_PARAMETERS:
        '[{"name":"cluster","map":{"__proto__":"yes","metadata.labels.__proto__":"yes"}},{"name":"__proto__","map":{"polluted":"yes"}}]',
    },
    outcome: 'refused',
  },
  {
    name: 'an undeclared parameter whose map holds __proto__ (visible to templates as params)',
    build: (r) =>
      write(r.app, {
        'base/t.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  x: "{{json params.extra}}"\n',
      }),
    env: { ARGOCD_APP_PARAMETERS: '[{"name":"extra","map":{"__proto__":"yes","a":"b"}}]' },
    outcome: 'rendered',
  },
  {
    name: 'an ARGOCD_ENV___proto__ variable',
    env: { ARGOCD_ENV___proto__: 'yes', ARGOCD_ENV_constructor: 'yes' },
    outcome: 'rendered',
  },
];

function protoSnapshot(): string[] {
  return [Object.getOwnPropertyNames(Object.prototype), Object.getOwnPropertyNames(Array.prototype)]
    .map((names) => [...names].sort().join(','))
    .concat(String(Object.getPrototypeOf({}) === Object.prototype));
}

describe('no prototype pollution from hostile input (in-process)', () => {
  const before = protoSnapshot();

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = makeRepo();
    try {
      baseApp(r.app);
      c.build?.(r);
      const res = await runInProcess(['generate'], { cwd: r.app, env: argoEnv(c.env) });
      if (c.outcome === 'rendered') {
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
      } else {
        expect(res.stdout).toBe('');
        expect([1, 78]).toContain(res.code);
        expect(res.stderr).toMatch(/__proto__|constructor/);
        expect(res.stderr).not.toMatch(/internal error|^\s+at /m);
      }
    } finally {
      r.cleanup();
    }
    const probe: Record<string, unknown> = {};
    expect(probe['polluted']).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(protoSnapshot()).toEqual(before);
  });

  test('YAML keys named __proto__ are rendered as data', async () => {
    const r = makeRepo();
    try {
      baseApp(r.app);
      cases[0]!.build!(r);
      const res = await runInProcess(['generate'], { cwd: r.app, env: argoEnv() });
      expect(res.stdout).toMatch(/__proto__:\n\s+polluted: again/);
    } finally {
      r.cleanup();
    }
  });
});
