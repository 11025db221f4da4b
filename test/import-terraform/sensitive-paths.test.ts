/**
 * A sensitive path the reader cannot follow (a set element named by its value, a string index into a list) still
 * marks a secret under its attribute: the whole attribute is withheld and reported, and its value is written nowhere.
 */
import { withholdSensitive } from '../../cmp-sidecar/import-terraform/sensitive';
import { ACCOUNT, REGION } from './dev-cluster';
import { importState } from './helpers';
import { rawState } from './states';

const PLANTED = 'SENTINEL-set-element-description';

const rule = (description: string) => ({
  from_port: 443,
  to_port: 443,
  protocol: 'tcp',
  cidr_blocks: ['10.20.0.0/16'],
  ipv6_cidr_blocks: [],
  prefix_list_ids: [],
  security_groups: [],
  self: false,
  description,
});

/** A security group whose ingress set element is marked sensitive by Terraform's object-valued index step. */
function stateWithUnfollowablePath(path: unknown[]): string {
  const doc = JSON.parse(
    rawState([
      {
        type: 'aws_security_group',
        name: 'api',
        instances: [
          {
            attributes: {
              id: 'sg-0api',
              arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0api`,
              name: 'api',
              description: 'API',
              vpc_id: 'vpc-0a1b2c3d4e5f60001',
              owner_id: ACCOUNT,
              ingress: [rule(PLANTED)],
              egress: [],
            },
          },
        ],
      },
    ]),
  ) as { resources: { instances: { sensitive_attributes: unknown[] }[] }[] };
  doc.resources[0]!.instances[0]!.sensitive_attributes = [path];
  return JSON.stringify(doc);
}

const INGRESS = { type: 'get_attr', value: 'ingress' };

it.each([
  [
    'a set element named by its value',
    [
      INGRESS,
      { type: 'index', value: { value: rule(PLANTED), type: ['object', {}] } },
      { type: 'get_attr', value: 'description' },
    ],
  ],
  [
    'a string index into a list',
    [INGRESS, { type: 'index', value: { value: '0', type: 'string' } }],
  ],
])(
  '%s: the whole attribute is withheld, reported, and its value written nowhere',
  async (_, path) => {
    const r = await importState(stateWithUnfollowablePath(path), [
      '--out',
      'out',
      '--report',
      'report.json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.reportJson!) as {
      partiallyMapped: { address: string; attribute: string; reason: string }[];
    };
    expect(report.partiallyMapped).toContainEqual({
      address: 'aws_security_group.api',
      attribute: 'ingress',
      reason: 'withheld: sensitive',
    });
    const everything = [...Object.values(r.files), r.reportJson, r.stdout, r.stderr].join('\n');
    expect(everything).not.toContain(PLANTED);
  },
);

it('a path through an attribute the state does not hold withholds nothing more', () => {
  expect(withholdSensitive({ name: 'n' }, [['password', 0, 'x']])).toEqual({
    values: { name: 'n' },
    withheld: [],
  });
});
