/** The two state forms read into the same resources, with sensitive values gone before anything else sees them. */
import { ConfigError } from '../../core/errors';
import { withholdSensitive } from '../../cmp-sidecar/import-terraform/sensitive';
import { readTerraformState } from '../../cmp-sidecar/import-terraform/state-reader';
import { rawState, showJson, type ResourceSpec } from './states';

const nested: ResourceSpec[] = [
  {
    mode: 'data',
    type: 'aws_region',
    name: 'current',
    instances: [{ attributes: { name: 'eu-west-1' } }],
  },
  {
    module: 'module.eks.module.nodes["blue"]',
    type: 'aws_eks_node_group',
    name: 'this',
    instances: [{ key: 0, attributes: { node_group_name: 'blue', token: 'SENTINEL-t' } }],
  },
  {
    module: 'module.eks',
    type: 'aws_iam_role',
    name: 'r',
    instances: [
      {
        attributes: { name: 'r', inline_policy: [{ name: 'p', policy: 'SENTINEL-p' }] },
        sensitive: [['inline_policy', 0, 'policy']],
      },
    ],
  },
];

function read(text: string) {
  return readTerraformState(text, 'state.json').map((r) => ({
    address: r.address,
    module: r.module,
    indexKey: r.indexKey,
    values: r.values,
    withheld: r.withheld,
  }));
}

test('nested modules, count and for_each instances read the same from both forms; data sources are skipped', () => {
  const fromRaw = read(rawState(nested));
  expect(fromRaw).toEqual([
    {
      address: 'module.eks.module.nodes["blue"].aws_eks_node_group.this[0]',
      module: 'module.eks.module.nodes["blue"]',
      indexKey: 0,
      values: { node_group_name: 'blue' },
      withheld: ['token'],
    },
    {
      address: 'module.eks.aws_iam_role.r',
      module: 'module.eks',
      indexKey: undefined,
      values: { name: 'r', inline_policy: [{ name: 'p' }] },
      withheld: ['inline_policy[0].policy'],
    },
  ]);
  const fromShow = read(showJson(nested));
  expect([...fromShow].sort((a, b) => a.address.localeCompare(b.address))).toEqual(
    [...fromRaw].sort((a, b) => a.address.localeCompare(b.address)),
  );
  expect(JSON.stringify(fromShow) + JSON.stringify(fromRaw)).not.toContain('SENTINEL');
});

test('a deposed object (create_before_destroy leftover) is not the live one and is skipped', () => {
  const state = JSON.parse(
    rawState([{ type: 'aws_vpc', name: 'v', instances: [{ attributes: { id: 'vpc-1' } }] }]),
  ) as {
    resources: { instances: Record<string, unknown>[] }[];
  };
  state.resources[0]!.instances.push({
    ...state.resources[0]!.instances[0],
    deposed: '00000001',
    attributes: { id: 'vpc-old' },
  });
  expect(readTerraformState(JSON.stringify(state), 's').map((r) => r.values['id'])).toEqual([
    'vpc-1',
  ]);
});

test.each([
  [
    'sensitive_attributes is not a list',
    { sensitive_attributes: 'all' },
    /aws_vpc\.v: sensitive_attributes must be a list/,
  ],
  [
    'a sensitive path step without a key',
    { sensitive_attributes: [[{ type: 'get_attr' }]] },
    /aws_vpc\.v: sensitive_attributes\[0\]\[0\] has no key/,
  ],
  [
    'attributes missing (Terraform 0.11 flat attributes)',
    { attributes: undefined, attributes_flat: { id: 'x' } },
    /aws_vpc\.v: "attributes" missing.*Terraform 0\.12/,
  ],
])('a malformed instance is refused, naming its address: %s', (_what, patch, message) => {
  const state = JSON.parse(
    rawState([{ type: 'aws_vpc', name: 'v', instances: [{ attributes: { id: 'vpc-1' } }] }]),
  ) as {
    resources: { instances: Record<string, unknown>[] }[];
  };
  Object.assign(state.resources[0]!.instances[0]!, patch);
  expect(() => readTerraformState(JSON.stringify(state), 's')).toThrow(ConfigError);
  expect(() => readTerraformState(JSON.stringify(state), 's')).toThrow(message);
});

test('a malformed sensitive_values mask of show -json is refused', () => {
  const doc = JSON.parse(
    showJson([{ type: 'aws_vpc', name: 'v', instances: [{ attributes: { id: 'vpc-1' } }] }]),
  ) as {
    values: { root_module: { resources: Record<string, unknown>[] } };
  };
  doc.values.root_module.resources[0]!['sensitive_values'] = { id: 'yes' };
  expect(() => readTerraformState(JSON.stringify(doc), 's')).toThrow(
    /aws_vpc\.v: sensitive_values is malformed/,
  );
});

test('known-sensitive names are withheld at any depth, even when the state does not mark them', () => {
  const { values, withheld } = withholdSensitive(
    {
      name: 'c',
      certificate_authority: [{ data: 'x' }],
      kubeconfig: 'y',
      nested: [{ master_password: 'z', client_secret: 'w', ok: 1 }],
      user_data: '',
    },
    [],
  );
  expect(values).toEqual({ name: 'c', nested: [{ ok: 1 }] });
  expect(withheld).toEqual([
    'certificate_authority',
    'kubeconfig',
    'nested[0].client_secret',
    'nested[0].master_password',
  ]);
});

test('a state whose whole object is marked sensitive keeps nothing of it', () => {
  expect(withholdSensitive({ a: 'x', b: 'y' }, [[]])).toEqual({ values: {}, withheld: ['a', 'b'] });
});
