/**
 * `eks-overlay import terraform`: a state built here (a dev cluster's estate, in both state forms) becomes ACK
 * objects that pass the ACK CRDs of ../shared/crds, with references, phases, report and no sensitive value anywhere.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { runInProcess, tempDir } from '../cmp/helpers';
import { ACCOUNT, devClusterState, REGION, SECRETS } from './dev-cluster';
import { CRDS, find, importState, objectsOf, type ImportRun } from './helpers';
import { rawState, showJson, type ResourceSpec } from './states';
import { validateObject } from '../manifests/schemas';

const OUT = ['--out', 'out'];
const raw = rawState(devClusterState());

describe('a dev cluster state', () => {
  let run: ImportRun;
  beforeAll(async () => {
    run = await importState(raw, [...OUT, '--crd-dir', CRDS, '--report', 'report.json']);
  });

  it('succeeds, writes one file per object plus the report, and leaves no temporary directory', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(Object.keys(run.files)).toContain('IMPORT-REPORT.md');
    expect(Object.keys(run.files)).toContain('vpc-dev-vpc.yaml');
    expect(run.leftovers).toEqual(['out', 'report.json', 's.json']);
  });

  it('maps every mapped type, and every object passes its ACK CRD (checked independently of the import)', () => {
    const objects = objectsOf(run);
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(
      [
        'AccessEntry',
        'Addon',
        'Cluster',
        'ElasticIPAddress',
        'InternetGateway',
        'NATGateway',
        'Nodegroup',
        'PodIdentityAssociation',
        'Policy',
        'Role',
        'RouteTable',
        'SecurityGroup',
        'Subnet',
        'VPC',
      ].sort(),
    );
    for (const o of objects)
      expect([`${o.kind}/${o.metadata.name}`, validateObject(o)]).toEqual([
        `${o.kind}/${o.metadata.name}`,
        { ok: true, via: 'crd' },
      ]);
  });

  it('records the address of module, count and for_each instances on each object', () => {
    const objects = objectsOf(run);
    const address = (kind: string, name: string) =>
      find(objects, kind, name).metadata.annotations['argocd-eks-plugins.io/terraform-address'];
    expect(address('VPC', 'dev-vpc')).toBe('module.vpc.aws_vpc.this');
    expect(address('Subnet', 'dev-private-eu-west-1b')).toBe('module.vpc.aws_subnet.private[1]');
    expect(address('Subnet', 'dev-public-a')).toBe('module.vpc.aws_subnet.public["a"]');
    expect(address('Addon', 'dev-vpc-cni')).toBe('module.eks.aws_eks_addon.this["vpc-cni"]');
  });

  it('observe: adopt by the identifying fields, read-only, retain, with region and owner account', () => {
    const vpc = find(objectsOf(run), 'VPC', 'dev-vpc');
    expect(vpc.metadata.annotations).toEqual({
      'argocd-eks-plugins.io/terraform-address': 'module.vpc.aws_vpc.this',
      'services.k8s.aws/adoption-policy': 'adopt',
      'services.k8s.aws/adoption-fields': '{"vpcID":"vpc-0a1b2c3d4e5f60001"}',
      'services.k8s.aws/read-only': 'true',
      'services.k8s.aws/deletion-policy': 'retain',
      'services.k8s.aws/region': REGION,
      'services.k8s.aws/owner-account-id': ACCOUNT,
    });
    const fields = (kind: string, name: string) =>
      JSON.parse(
        find(objectsOf(run), kind, name).metadata.annotations['services.k8s.aws/adoption-fields']!,
      ) as unknown;
    expect(fields('Subnet', 'dev-public-a')).toEqual({ subnetID: 'subnet-0publica' });
    expect(fields('SecurityGroup', 'dev-node')).toEqual({ id: 'sg-0node' });
    expect(fields('InternetGateway', 'dev-igw')).toEqual({ internetGatewayID: 'igw-0dev' });
    expect(fields('NATGateway', 'dev-nat')).toEqual({ natGatewayID: 'nat-0dev' });
    expect(fields('ElasticIPAddress', 'dev-nat-eip')).toEqual({ allocationID: 'eipalloc-0dev' });
    expect(fields('RouteTable', 'dev-private')).toEqual({ routeTableID: 'rtb-0private' });
    expect(fields('Cluster', 'dev')).toEqual({ name: 'dev' });
    expect(fields('Nodegroup', 'dev-default')).toEqual({ clusterName: 'dev', name: 'default' });
    expect(fields('PodIdentityAssociation', 'dev-external-dns-external-dns')).toEqual({
      associationID: 'a-0externaldns',
      clusterName: 'dev',
    });
    expect(fields('Role', 'dev-node-role')).toEqual({ name: 'dev-node-role' });
    expect(fields('Policy', 'dev-external-dns')).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:policy/dev-external-dns`,
    });
    // IAM is global: no region annotation; the account comes from the ARN.
    expect(find(objectsOf(run), 'Role', 'dev-node-role').metadata.annotations).not.toHaveProperty(
      'services.k8s.aws/region',
    );
    expect(
      find(objectsOf(run), 'Role', 'dev-node-role').metadata.annotations[
        'services.k8s.aws/owner-account-id'
      ],
    ).toBe(ACCOUNT);
  });

  it('network: subnets carry their route table associations as routeTableRefs; routes reference imported gateways', () => {
    const objects = objectsOf(run);
    expect(find(objects, 'Subnet', 'dev-private-eu-west-1a').spec).toMatchObject({
      vpcRef: { from: { name: 'dev-vpc' } },
      routeTableRefs: [{ from: { name: 'dev-private' } }],
      cidrBlock: '10.20.0.0/24',
      availabilityZone: 'eu-west-1a',
    });
    expect(find(objects, 'RouteTable', 'dev-private').spec['routes']).toEqual([
      { destinationCIDRBlock: '0.0.0.0/0', natGatewayRef: { from: { name: 'dev-nat' } } },
      // aws_route folded in; the peering connection is outside the state: a literal id.
      { destinationCIDRBlock: '172.16.0.0/16', vpcPeeringConnectionID: 'pcx-0outside' },
    ]);
    expect(find(objects, 'RouteTable', 'dev-public').spec['routes']).toEqual([
      { destinationCIDRBlock: '0.0.0.0/0', gatewayRef: { from: { name: 'dev-igw' } } },
    ]);
    expect(find(objects, 'NATGateway', 'dev-nat').spec).toMatchObject({
      allocationRef: { from: { name: 'dev-nat-eip' } },
      subnetRef: { from: { name: 'dev-public-a' } },
      connectivityType: 'public',
    });
    expect(find(objects, 'InternetGateway', 'dev-igw').spec).toMatchObject({
      vpcRef: { from: { name: 'dev-vpc' } },
    });
    expect(find(objects, 'VPC', 'dev-vpc').spec).toMatchObject({
      cidrBlocks: ['10.20.0.0/16'],
      enableDNSSupport: true,
      enableDNSHostnames: true,
      // tags_all: what AWS holds, provider default tags included
      tags: [
        { key: 'Name', value: 'dev-vpc' },
        { key: 'env', value: 'dev' },
        { key: 'managed-by', value: 'terraform' },
      ],
    });
  });

  it('security groups: inline rules and separate rule resources folded in, references to imported groups', () => {
    const node = find(objectsOf(run), 'SecurityGroup', 'dev-node').spec;
    expect(node['ingressRules']).toEqual([
      {
        ipProtocol: '-1',
        userIDGroupPairs: [{ groupID: 'sg-0node', description: 'node to node' }],
      },
      {
        ipProtocol: 'tcp',
        fromPort: 1025,
        toPort: 65535,
        userIDGroupPairs: [
          {
            groupRef: { from: { name: 'dev-cluster' } },
            description: 'kubelet and pods from the control plane',
          },
        ],
      },
    ]);
    expect(node['egressRules']).toEqual([
      { ipProtocol: '-1', ipRanges: [{ cidrIP: '0.0.0.0/0' }] },
    ]);
    const cluster = find(objectsOf(run), 'SecurityGroup', 'dev-cluster').spec;
    expect(cluster).toMatchObject({
      name: 'dev-cluster',
      description: 'EKS cluster security group',
      vpcRef: { from: { name: 'dev-vpc' } },
      ingressRules: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          ipRanges: [{ cidrIP: '10.20.0.0/16', description: 'API from the VPC' }],
        },
      ],
    });
  });

  it('EKS: cluster, node group, add-ons, access entry (with its policy association) and pod identity by reference', () => {
    const objects = objectsOf(run);
    expect(find(objects, 'Cluster', 'dev').spec).toEqual({
      name: 'dev',
      roleRef: { from: { name: 'dev-cluster-role' } },
      version: '1.31',
      resourcesVPCConfig: {
        subnetRefs: [
          { from: { name: 'dev-private-eu-west-1a' } },
          { from: { name: 'dev-private-eu-west-1b' } },
        ],
        securityGroupRefs: [{ from: { name: 'dev-cluster' } }],
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
        publicAccessCIDRs: ['0.0.0.0/0'],
      },
      accessConfig: {
        authenticationMode: 'API_AND_CONFIG_MAP',
        bootstrapClusterCreatorAdminPermissions: true,
      },
      kubernetesNetworkConfig: { ipFamily: 'ipv4', serviceIPv4CIDR: '172.20.0.0/16' },
      logging: { clusterLogging: [{ enabled: true, types: ['api', 'audit'] }] },
      upgradePolicy: { supportType: 'STANDARD' },
      tags: { Name: 'dev', env: 'dev', 'managed-by': 'terraform' },
    });
    expect(find(objects, 'Nodegroup', 'dev-default').spec).toMatchObject({
      name: 'default',
      clusterRef: { from: { name: 'dev' } },
      nodeRoleRef: { from: { name: 'dev-node-role' } },
      subnetRefs: [
        { from: { name: 'dev-private-eu-west-1a' } },
        { from: { name: 'dev-private-eu-west-1b' } },
      ],
      scalingConfig: { minSize: 1, maxSize: 4, desiredSize: 2 },
      instanceTypes: ['m6i.large', 'm5.large'], // a list: its order is kept
      capacityType: 'ON_DEMAND',
      updateConfig: { maxUnavailable: 1 },
    });
    expect(find(objects, 'Addon', 'dev-coredns').spec).toMatchObject({
      name: 'coredns',
      clusterRef: { from: { name: 'dev' } },
      addonVersion: 'v1.11.3-eksbuild.2',
      resolveConflicts: 'PRESERVE',
    });
    expect(find(objects, 'AccessEntry', 'dev-platform-admin').spec).toMatchObject({
      clusterRef: { from: { name: 'dev' } },
      principalARN: `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
      type: 'STANDARD',
      accessPolicies: [
        {
          policyARN: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          accessScope: { type: 'cluster' },
        },
      ],
    });
    expect(find(objects, 'PodIdentityAssociation', 'dev-external-dns-external-dns').spec).toEqual({
      clusterRef: { from: { name: 'dev' } },
      namespace: 'external-dns',
      serviceAccount: 'external-dns',
      roleRef: { from: { name: 'dev-external-dns' } },
    });
  });

  it('IAM: roles with their attachments and inline policies, policies referenced when imported', () => {
    const objects = objectsOf(run);
    expect(find(objects, 'Role', 'dev-node-role').spec).toMatchObject({
      name: 'dev-node-role',
      policies: [
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      ],
      inlinePolicies: { logs: expect.stringContaining('logs:PutLogEvents') as unknown },
    });
    expect(find(objects, 'Role', 'dev-external-dns').spec).toMatchObject({
      policyRefs: [{ from: { name: 'dev-external-dns' } }],
    });
    expect(find(objects, 'Policy', 'dev-external-dns').spec).toMatchObject({
      name: 'dev-external-dns',
      policyDocument: expect.stringContaining('route53') as unknown,
    });
  });

  it('reports mapped, partially mapped, not mapped, references and the checklist, in markdown and JSON', () => {
    const md = run.files['IMPORT-REPORT.md']!;
    const report = JSON.parse(run.reportJson!) as {
      checklist: string[];
      notMapped: { address: string; reason: string }[];
      partiallyMapped: { address: string; attribute: string }[];
      references: { literal: { field: string; target: string }[] };
      schemaCheck: { checked: string[] };
      stateRm: string[];
    };
    expect(report.checklist[0]).toContain('terraform apply -refresh-only');
    expect(md).toContain('1. Make the state fresh first: `terraform apply -refresh-only`');
    expect(report.notMapped).toEqual([
      {
        address: 'aws_db_instance.app',
        type: 'aws_db_instance',
        reason: 'no ACK mapping for this type',
      },
      {
        address: 'aws_launch_template.unused',
        type: 'aws_launch_template',
        reason: 'no ACK mapping for this type',
      },
      {
        address: 'module.eks.aws_cloudwatch_log_group.cluster',
        type: 'aws_cloudwatch_log_group',
        reason: 'no ACK mapping for this type',
      },
      { address: 'random_password.app', type: 'random_password', reason: 'not an AWS resource' },
    ]);
    expect(report.partiallyMapped).toEqual(
      expect.arrayContaining([
        {
          address: 'module.vpc.aws_subnet.private[0]',
          attribute: 'availability_zone_id',
          reason: 'set in the state, not carried into the Subnet spec',
        },
        {
          address: 'module.eks.aws_eks_addon.this["vpc-cni"]',
          attribute: 'configuration_values',
          reason: 'withheld: sensitive',
        },
      ]),
    );
    expect(report.references.literal).toEqual(
      expect.arrayContaining([
        {
          address: 'module.vpc.aws_route_table.private',
          field: 'routes[].vpcPeeringConnectionID',
          target: 'pcx-0outside',
        },
      ]),
    );
    expect(report.schemaCheck.checked).toHaveLength(22);
    expect(report.stateRm).toEqual([]);
    expect(md).toContain('## Not mapped (4)');
    expect(md).toContain('## References left literal');
  });

  it('writes no sensitive value to any file, the report, stdout or stderr', () => {
    const everything = [
      ...Object.values(run.files),
      run.reportJson ?? '',
      run.stdout,
      run.stderr,
    ].join('\n');
    for (const s of SECRETS) expect(everything).not.toContain(s);
  });
});

describe('state forms and determinism', () => {
  it('`terraform show -json` output imports to the same bytes as the raw state, and a second run is identical', async () => {
    const a = await importState(raw, [...OUT, '--report', 'r.json']);
    const b = await importState(showJson(devClusterState()), [...OUT, '--report', 'r.json']);
    const c = await importState(raw, [...OUT, '--report', 'r.json']);
    expect(a.code).toBe(0);
    expect(b.files).toEqual(a.files);
    expect(c.files).toEqual(a.files);
    expect(c.reportJson).toBe(a.reportJson);
    for (const s of SECRETS) expect(Object.values(b.files).join('') + b.stderr).not.toContain(s);
  });

  it('without --out, the YAML stream goes to stdout and the markdown report to stderr', async () => {
    const r = await importState(raw);
    expect(r.code).toBe(0);
    expect(objectsOf(r)).toHaveLength(22);
    expect(r.stderr).toContain('# Terraform import: s.json');
    expect(r.stderr).toContain('nothing was schema-checked');
    for (const s of SECRETS) expect(r.stdout + r.stderr).not.toContain(s);
  });
});

describe('phases', () => {
  it('adopt drops read-only and keeps adoption and retain', async () => {
    const r = await importState(raw, ['--phase', 'adopt']);
    for (const o of objectsOf(r)) {
      expect(o.metadata.annotations).not.toHaveProperty('services.k8s.aws/read-only');
      expect(o.metadata.annotations).toMatchObject({
        'services.k8s.aws/adoption-policy': 'adopt',
        'services.k8s.aws/deletion-policy': 'retain',
      });
    }
    expect(r.stderr).toContain('Freeze Terraform for these addresses');
  });

  it('own lists the terraform state rm commands for every imported address (folded ones too), keeps retain', async () => {
    const r = await importState(raw, ['--phase', 'own', '--report', 'r.json']);
    const report = JSON.parse(r.reportJson!) as { stateRm: string[]; checklist: string[] };
    expect(report.stateRm).toContain(`terraform state rm 'module.vpc.aws_subnet.public["a"]'`);
    expect(report.stateRm).toContain(
      `terraform state rm 'module.vpc.aws_route_table_association.public["a"]'`,
    );
    expect(report.stateRm).toContain(
      `terraform state rm 'module.eks.aws_iam_role_policy.node_logs'`,
    );
    expect(report.stateRm).not.toContain(`terraform state rm 'aws_db_instance.app'`);
    expect(report.stateRm).toHaveLength(22 + 14);
    expect(report.checklist.join(' ')).toContain('human decision');
    for (const o of objectsOf(r))
      expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });
});

describe('options', () => {
  it('--only imports the named kinds (or Terraform types); the rest is listed, references to it stay literal', async () => {
    const r = await importState(raw, [
      '--only',
      'Subnet',
      '--only',
      'aws_vpc',
      '--report',
      'r.json',
    ]);
    expect(r.code).toBe(0);
    const objects = objectsOf(r);
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(['Subnet', 'VPC']);
    expect(find(objects, 'Subnet', 'dev-public-a').spec).toMatchObject({
      vpcRef: { from: { name: 'dev-vpc' } },
      routeTables: ['rtb-0public'],
    });
    const report = JSON.parse(r.reportJson!) as {
      notMapped: { address: string; reason: string }[];
    };
    expect(report.notMapped).toContainEqual({
      address: 'module.eks.aws_eks_cluster.this',
      type: 'aws_eks_cluster',
      reason: 'left out by --only',
    });
    expect(report.notMapped).toContainEqual({
      address: 'module.vpc.aws_route.peering',
      type: 'aws_route',
      reason: 'folded into RouteTable, left out by --only',
    });
  });

  it('a rule, route or attachment whose parent is not in the state is listed as not mapped, never dropped', async () => {
    const r = await importState(
      rawState([
        {
          type: 'aws_vpc',
          name: 'v',
          instances: [
            {
              attributes: {
                id: 'vpc-1',
                arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-1`,
                cidr_block: '10.0.0.0/16',
              },
            },
          ],
        },
        {
          type: 'aws_iam_role_policy_attachment',
          name: 'a',
          instances: [
            { attributes: { role: 'elsewhere', policy_arn: 'arn:aws:iam::aws:policy/P' } },
          ],
        },
        {
          type: 'aws_security_group_rule',
          name: 'r',
          instances: [
            { attributes: { type: 'ingress', security_group_id: 'sg-elsewhere', protocol: 'tcp' } },
          ],
        },
      ]),
      ['--report', 'r.json'],
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.reportJson!) as { notMapped: unknown[] }).notMapped).toEqual([
      {
        address: 'aws_iam_role_policy_attachment.a',
        type: 'aws_iam_role_policy_attachment',
        reason: 'belongs to a Role that is not in the state',
      },
      {
        address: 'aws_security_group_rule.r',
        type: 'aws_security_group_rule',
        reason: 'belongs to a SecurityGroup that is not in the state',
      },
    ]);
  });

  it('--namespace puts every object in the namespace', async () => {
    const r = await importState(raw, ['--namespace', 'dev-infra']);
    for (const o of objectsOf(r)) expect(o.metadata.namespace).toBe('dev-infra');
  });

  it('two resources that would share a name are disambiguated by their address, whatever the order', async () => {
    const sg = (module: string, id: string, vpc: string): ResourceSpec => ({
      module,
      type: 'aws_security_group',
      name: 'this',
      instances: [
        {
          attributes: {
            id,
            arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`,
            name: 'shared',
            description: 'd',
            vpc_id: vpc,
          },
        },
      ],
    });
    const states = [
      rawState([sg('module.a', 'sg-1', 'vpc-1'), sg('module.b', 'sg-2', 'vpc-2')]),
      rawState([sg('module.b', 'sg-2', 'vpc-2'), sg('module.a', 'sg-1', 'vpc-1')]),
    ];
    const [x, y] = await Promise.all(
      states.map((s) => importState(s, [...OUT, '--report', 'r.json'])),
    );
    expect(x!.files).toEqual(y!.files);
    const names = objectsOf(x!).map((o) => o.metadata.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n).toMatch(/^shared-[0-9a-f]{8}$/);
    expect(x!.files['IMPORT-REPORT.md']).toContain('## Names disambiguated');
    expect(JSON.parse(x!.reportJson!)).toMatchObject({
      disambiguatedNames: [
        { address: 'module.a.aws_security_group.this' },
        { address: 'module.b.aws_security_group.this' },
      ],
    });
  });

  it('region: the `region` attribute, else --region; account from owner_id or --account-id', async () => {
    const nat = (attributes: Record<string, unknown>): string =>
      rawState([
        {
          type: 'aws_nat_gateway',
          name: 'n',
          instances: [{ attributes: { id: 'nat-1', subnet_id: 'subnet-x', ...attributes } }],
        },
      ]);
    const withAttr = await importState(nat({ region: 'us-east-2' }));
    expect(objectsOf(withAttr)[0]!.metadata.annotations['services.k8s.aws/region']).toBe(
      'us-east-2',
    );
    const withFlag = await importState(nat({}), [
      '--region',
      'ap-south-1',
      '--account-id',
      '444455556666',
    ]);
    expect(objectsOf(withFlag)[0]!.metadata.annotations).toMatchObject({
      'services.k8s.aws/region': 'ap-south-1',
      'services.k8s.aws/owner-account-id': '444455556666',
    });
    const none = await importState(nat({}), OUT);
    expect(none.code).toBe(78);
    expect(none.stderr).toContain('aws_nat_gateway.n: no region');
    expect(none.stderr).toContain('--region');
    expect(none.leftovers).toEqual(['s.json']);
  });

  it('a provider alias per region: each object takes the region of its own ARN', async () => {
    const subnet = (id: string, region: string): ResourceSpec => ({
      type: 'aws_subnet',
      name: id,
      provider: `provider["registry.terraform.io/hashicorp/aws"].${region}`,
      instances: [
        {
          attributes: {
            id,
            arn: `arn:aws:ec2:${region}:${ACCOUNT}:subnet/${id}`,
            vpc_id: 'vpc-outside',
            cidr_block: '10.0.0.0/24',
          },
        },
      ],
    });
    const r = await importState(
      rawState([subnet('subnet-east', 'us-east-1'), subnet('subnet-west', 'us-west-2')]),
      ['--region', 'eu-west-1'],
    );
    expect(
      objectsOf(r).map((o) => [o.metadata.name, o.metadata.annotations['services.k8s.aws/region']]),
    ).toEqual([
      ['subnet-east', 'us-east-1'],
      ['subnet-west', 'us-west-2'],
    ]);
    // The VPC is not in the state: a literal id, reported.
    expect(find(objectsOf(r), 'Subnet', 'subnet-east').spec['vpcID']).toBe('vpc-outside');
    expect(r.stderr).toContain('| `aws_subnet.subnet-east` | vpcID | vpc-outside |');
  });

  it('a resource of an aliased provider takes the region given for that alias, never the default one', async () => {
    const state = rawState([
      {
        type: 'aws_nat_gateway',
        name: 'west',
        provider: 'provider["registry.terraform.io/hashicorp/aws"].west',
        instances: [{ attributes: { id: 'nat-w', subnet_id: 'subnet-w' } }],
      },
      {
        type: 'aws_nat_gateway',
        name: 'home',
        instances: [{ attributes: { id: 'nat-h', subnet_id: 'subnet-h' } }],
      },
    ]);
    const guessed = await importState(state, ['--region', 'eu-west-1', ...OUT]);
    expect(guessed.code).toBe(78);
    expect(guessed.stderr).toContain(
      'aws_nat_gateway.west: no region: it belongs to the provider configuration aws.west, whose region the state does not hold, and has no ARN or region attribute: pass --region west=<region>',
    );
    expect(guessed.stderr).not.toContain('aws_nat_gateway.home');
    expect(guessed.leftovers).toEqual(['s.json']);
    const given = await importState(state, [
      '--region',
      'eu-west-1',
      '--region',
      'west=us-west-2',
      '--account-id',
      '111122223333',
      '--account-id',
      'west=444455556666',
    ]);
    expect(
      objectsOf(given).map((o) => [
        o.metadata.name,
        o.metadata.annotations['services.k8s.aws/region'],
      ]),
    ).toEqual([
      ['home', 'eu-west-1'],
      ['west', 'us-west-2'],
    ]);
    expect(
      objectsOf(given).map((o) => o.metadata.annotations['services.k8s.aws/owner-account-id']),
    ).toEqual(['111122223333', '444455556666']);
    // Without its own account, an aliased resource gets no owner-account annotation rather than the default one.
    const noAccount = await importState(state, [
      '--region',
      'eu-west-1',
      '--region',
      'west=us-west-2',
      '--account-id',
      '111122223333',
    ]);
    expect(
      objectsOf(noAccount).map((o) => o.metadata.annotations['services.k8s.aws/owner-account-id']),
    ).toEqual(['111122223333', undefined]);
  });

  it('--crd-dir: an object the CRD rejects fails the import (exit 1) with nothing written', async () => {
    const state = devClusterState().map((r) =>
      r.type === 'aws_eks_node_group'
        ? {
            ...r,
            instances: r.instances.map((i) => ({
              ...i,
              attributes: { ...i.attributes, capacity_type: 'ONDEMAND' },
            })),
          }
        : r,
    );
    const r = await importState(rawState(state), [...OUT, '--crd-dir', CRDS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Nodegroup/dev-default: spec.capacityType must be one of');
    expect(r.stdout).toBe('');
    expect(r.leftovers).toEqual(['s.json']);
  });
});

describe('bad input: a clear error, a non-zero exit, no output', () => {
  const vpc = (attributes: Record<string, unknown>): ResourceSpec => ({
    module: 'module.net',
    type: 'aws_vpc',
    name: 'main',
    instances: [
      {
        key: 'eu',
        attributes: {
          id: 'vpc-1',
          arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-1`,
          ...attributes,
        },
      },
    ],
  });
  const cases: [string, string, number, RegExp][] = [
    ['not JSON', 'hello', 78, /s\.json: not JSON/],
    ['a truncated state', raw.slice(0, 500), 78, /s\.json: truncated state/],
    [
      'a state cut after a closing brace',
      raw.slice(0, raw.indexOf('}') + 1),
      78,
      /s\.json: truncated state/,
    ],
    [
      'state format version 3',
      rawState([vpc({ cidr_block: '10.0.0.0/16' })], 3),
      78,
      /version 3 is older than 4.*terraform init/,
    ],
    [
      'an unknown format version',
      rawState([vpc({ cidr_block: '10.0.0.0/16' })], 5),
      78,
      /unknown state format version 5/,
    ],
    [
      'no AWS resources',
      rawState([{ type: 'random_id', name: 'x', instances: [{ attributes: { id: 'x' } }] }]),
      78,
      /no AWS resources.*random_id/,
    ],
    ['an empty state', rawState([]), 78, /no AWS resources/],
    [
      'only unmapped AWS resources',
      rawState([
        {
          type: 'aws_s3_bucket',
          name: 'b',
          instances: [{ attributes: { id: 'b', arn: 'arn:aws:s3:::b' } }],
        },
      ]),
      78,
      /nothing to import: none of the state's 1 AWS resource\(s\) is of a mapped type \(found aws_s3_bucket\)/,
    ],
    [
      'a malformed attribute',
      rawState([vpc({ cidr_block: 10 })]),
      78,
      /module\.net\.aws_vpc\.main\["eu"\]: attribute cidr_block is malformed \(a string expected\)/,
    ],
    [
      'a malformed nested attribute',
      rawState([
        {
          type: 'aws_eks_cluster',
          name: 'c',
          instances: [
            {
              attributes: {
                name: 'c',
                arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/c`,
                role_arn: 'arn:aws:iam::1:role/r',
                vpc_config: [{ subnet_ids: 'subnet-1' }],
              },
            },
          ],
        },
      ]),
      78,
      /aws_eks_cluster\.c: attribute vpc_config\[0\]\.subnet_ids is malformed/,
    ],
    [
      'a plan instead of a state',
      JSON.stringify({ format_version: '1.2', planned_values: {} }),
      78,
      /a plan, not a state/,
    ],
  ];
  it.each(cases)('%s', async (_what, state, code, message) => {
    const r = await importState(state, [...OUT, '--report', 'r.json']);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.leftovers).toEqual(['s.json']);
  });

  it('a required attribute the state marks sensitive is refused, naming it, without its value', async () => {
    const state = rawState([
      {
        type: 'aws_iam_role',
        name: 'r',
        instances: [
          {
            attributes: {
              name: 'r',
              arn: 'arn:aws:iam::111122223333:role/r',
              assume_role_policy: 'SENTINEL-policy-value',
            },
            sensitive: [['assume_role_policy']],
          },
        ],
      },
    ]);
    const r = await importState(state, OUT);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(
      'aws_iam_role.r: attribute assume_role_policy is needed but the state marks it sensitive',
    );
    expect(r.stderr).not.toContain('SENTINEL');
  });

  it('a malformed value never appears in the error', async () => {
    const r = await importState(
      rawState([vpc({ cidr_block: { secret: 'SENTINEL-x' }, enable_dns_support: 'SENTINEL-y' })]),
      OUT,
    );
    expect(r.code).toBe(78);
    expect(r.stderr).not.toContain('SENTINEL');
  });

  it.each([
    [['import'], /import needs a source/],
    [['import', 'pulumi', 's.json'], /unknown source "pulumi"/],
    [['import', 'terraform'], /needs a state file/],
    [
      ['import', 'terraform', 's.json', '--phase', 'delete'],
      /--phase "delete": one of observe, adopt, own/,
    ],
    [['import', 'terraform', 's.json', '--only', 'Bucket'], /--only "Bucket": not a mapped kind/],
    [
      ['import', 'terraform', 's.json', '--region', 'moon'],
      /--region "moon": "moon" is not an AWS region name/,
    ],
    [
      ['import', 'terraform', 's.json', '--account-id', '12'],
      /"12" is not a 12-digit AWS account id/,
    ],
    [
      ['import', 'terraform', 's.json', '--region', 'eu-west-1', '--region', 'us-east-1'],
      /--region given twice without an alias/,
    ],
    [
      ['import', 'terraform', 's.json', '--region', 'we st=us-east-1'],
      /"we st" is not a provider alias/,
    ],
    [['import', 'terraform', 's.json', '--bogus'], /unknown option --bogus/],
    [['import', 'terraform', 's.json', '--namespace', 'Not_OK'], /not a valid namespace/],
    [['import', 'terraform', 'missing.json'], /cannot read the state missing\.json: ENOENT/],
    [
      ['import', 'terraform', 's.json', '--crd-dir', 'no-such-dir'],
      /--crd-dir: CRD directory .*no-such-dir cannot be read/,
    ],
  ])('usage: %j', async (argv, message) => {
    const { dir, cleanup } = tempDir('tf-import-usage-');
    try {
      writeFileSync(`${dir}/s.json`, raw);
      const r = await runInProcess(argv, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    } finally {
      cleanup();
    }
  });

  it('an existing non-empty --out is refused and left as it was', async () => {
    const { dir, cleanup } = tempDir('tf-import-out-');
    try {
      writeFileSync(`${dir}/s.json`, raw);
      mkdirSync(`${dir}/out`);
      writeFileSync(`${dir}/out/mine.yaml`, 'x: 1\n');
      const r = await runInProcess(['import', 'terraform', 's.json', '--out', 'out'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('exists and is not empty');
      expect(readdirSync(`${dir}/out`)).toEqual(['mine.yaml']);
      expect(readdirSync(dir).sort()).toEqual(['out', 's.json']);
    } finally {
      cleanup();
    }
  });
});
