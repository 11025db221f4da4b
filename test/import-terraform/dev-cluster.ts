import type { ResourceSpec } from './states';

/** Values that must never appear in any output: each sits in a sensitive or known-sensitive attribute. */
export const SECRETS = [
  'SENTINEL-ca-data-LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0t',
  'SENTINEL-db-password-hunter2',
  'SENTINEL-random-result-q9x8',
  'SENTINEL-addon-config-token-77',
  'SENTINEL-user-data-script',
] as const;

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
const arn = (service: string, rest: string, region = REGION) =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${rest}`;
const tags = (name: string) => ({ Name: name, env: 'dev' });
const withTags = (name: string) => ({
  tags: tags(name),
  tags_all: { ...tags(name), 'managed-by': 'terraform' },
});

const AZS = ['eu-west-1a', 'eu-west-1b'];

/**
 * A dev cluster's estate as a typical root module with a `vpc` and an `eks` module leaves it: count and for_each
 * instances, separate rule/route/association/attachment resources, a data source, unmapped types, and sensitive
 * values where providers put them.
 */
export function devClusterState(): ResourceSpec[] {
  return [
    {
      mode: 'data',
      type: 'aws_caller_identity',
      name: 'current',
      instances: [{ attributes: { account_id: ACCOUNT } }],
    },
    {
      module: 'module.vpc',
      type: 'aws_vpc',
      name: 'this',
      instances: [
        {
          attributes: {
            id: 'vpc-0a1b2c3d4e5f60001',
            arn: arn('ec2', 'vpc/vpc-0a1b2c3d4e5f60001'),
            cidr_block: '10.20.0.0/16',
            enable_dns_support: true,
            enable_dns_hostnames: true,
            instance_tenancy: 'default',
            assign_generated_ipv6_cidr_block: false,
            owner_id: ACCOUNT,
            main_route_table_id: 'rtb-0main',
            ...withTags('dev-vpc'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_subnet',
      name: 'private',
      instances: [0, 1].map((i) => ({
        key: i,
        attributes: {
          id: `subnet-0private${i}`,
          arn: arn('ec2', `subnet/subnet-0private${i}`),
          vpc_id: 'vpc-0a1b2c3d4e5f60001',
          cidr_block: `10.20.${i}.0/24`,
          availability_zone: AZS[i],
          availability_zone_id: `euw1-az${i + 1}`,
          map_public_ip_on_launch: false,
          map_customer_owned_ip_on_launch: false,
          private_dns_hostname_type_on_launch: 'ip-name',
          owner_id: ACCOUNT,
          ...withTags(`dev-private-${AZS[i]}`),
          tags: { ...tags(`dev-private-${AZS[i]}`), 'kubernetes.io/role/internal-elb': '1' },
        },
      })),
    },
    {
      module: 'module.vpc',
      type: 'aws_subnet',
      name: 'public',
      instances: ['a', 'b'].map((k, i) => ({
        key: k,
        attributes: {
          id: `subnet-0public${k}`,
          arn: arn('ec2', `subnet/subnet-0public${k}`),
          vpc_id: 'vpc-0a1b2c3d4e5f60001',
          cidr_block: `10.20.10${i}.0/24`,
          availability_zone: AZS[i],
          map_public_ip_on_launch: true,
          owner_id: ACCOUNT,
          ...withTags(`dev-public-${k}`),
        },
      })),
    },
    {
      module: 'module.vpc',
      type: 'aws_internet_gateway',
      name: 'this',
      instances: [
        {
          attributes: {
            id: 'igw-0dev',
            arn: arn('ec2', 'internet-gateway/igw-0dev'),
            vpc_id: 'vpc-0a1b2c3d4e5f60001',
            owner_id: ACCOUNT,
            ...withTags('dev-igw'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_eip',
      name: 'nat',
      instances: [
        {
          attributes: {
            id: 'eipalloc-0dev',
            allocation_id: 'eipalloc-0dev',
            arn: arn('ec2', 'elastic-ip/eipalloc-0dev'),
            domain: 'vpc',
            public_ip: '203.0.113.10',
            public_ipv4_pool: 'amazon',
            network_border_group: REGION,
            ...withTags('dev-nat-eip'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_nat_gateway',
      name: 'this',
      instances: [
        {
          attributes: {
            id: 'nat-0dev',
            allocation_id: 'eipalloc-0dev',
            subnet_id: 'subnet-0publica',
            connectivity_type: 'public',
            private_ip: '10.20.100.5',
            public_ip: '203.0.113.10',
            network_interface_id: 'eni-0nat',
            region: REGION,
            ...withTags('dev-nat'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_route_table',
      name: 'public',
      instances: [
        {
          attributes: {
            id: 'rtb-0public',
            arn: arn('ec2', 'route-table/rtb-0public'),
            vpc_id: 'vpc-0a1b2c3d4e5f60001',
            owner_id: ACCOUNT,
            propagating_vgws: [],
            route: [{ cidr_block: '0.0.0.0/0', gateway_id: 'igw-0dev', nat_gateway_id: '' }],
            ...withTags('dev-public'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_route_table',
      name: 'private',
      instances: [
        {
          attributes: {
            id: 'rtb-0private',
            arn: arn('ec2', 'route-table/rtb-0private'),
            vpc_id: 'vpc-0a1b2c3d4e5f60001',
            owner_id: ACCOUNT,
            route: [{ cidr_block: '0.0.0.0/0', nat_gateway_id: 'nat-0dev', gateway_id: '' }],
            ...withTags('dev-private'),
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_route',
      name: 'peering',
      instances: [
        {
          attributes: {
            id: 'r-rtb-0private1080289494',
            route_table_id: 'rtb-0private',
            destination_cidr_block: '172.16.0.0/16',
            vpc_peering_connection_id: 'pcx-0outside',
          },
        },
      ],
    },
    {
      module: 'module.vpc',
      type: 'aws_route_table_association',
      name: 'private',
      instances: [0, 1].map((i) => ({
        key: i,
        attributes: {
          id: `rtbassoc-0priv${i}`,
          subnet_id: `subnet-0private${i}`,
          route_table_id: 'rtb-0private',
          gateway_id: '',
        },
      })),
    },
    {
      module: 'module.vpc',
      type: 'aws_route_table_association',
      name: 'public',
      instances: ['a', 'b'].map((k) => ({
        key: k,
        attributes: {
          id: `rtbassoc-0pub${k}`,
          subnet_id: `subnet-0public${k}`,
          route_table_id: 'rtb-0public',
        },
      })),
    },
    {
      module: 'module.eks',
      type: 'aws_security_group',
      name: 'cluster',
      instances: [
        {
          attributes: {
            id: 'sg-0cluster',
            arn: arn('ec2', 'security-group/sg-0cluster'),
            name: 'dev-cluster',
            description: 'EKS cluster security group',
            vpc_id: 'vpc-0a1b2c3d4e5f60001',
            owner_id: ACCOUNT,
            revoke_rules_on_delete: false,
            ingress: [
              {
                from_port: 443,
                to_port: 443,
                protocol: 'tcp',
                cidr_blocks: ['10.20.0.0/16'],
                ipv6_cidr_blocks: [],
                prefix_list_ids: [],
                security_groups: [],
                self: false,
                description: 'API from the VPC',
              },
            ],
            egress: [
              {
                from_port: 0,
                to_port: 0,
                protocol: '-1',
                cidr_blocks: ['0.0.0.0/0'],
                ipv6_cidr_blocks: [],
                prefix_list_ids: [],
                security_groups: [],
                self: false,
                description: '',
              },
            ],
            ...withTags('dev-cluster'),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_security_group',
      name: 'node',
      instances: [
        {
          attributes: {
            id: 'sg-0node',
            arn: arn('ec2', 'security-group/sg-0node'),
            name: 'dev-node',
            description: 'EKS node security group',
            vpc_id: 'vpc-0a1b2c3d4e5f60001',
            owner_id: ACCOUNT,
            ingress: [],
            egress: [],
            ...withTags('dev-node'),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_security_group_rule',
      name: 'node_from_cluster',
      instances: [
        {
          attributes: {
            id: 'sgrule-1',
            type: 'ingress',
            security_group_id: 'sg-0node',
            from_port: 1025,
            to_port: 65535,
            protocol: 'tcp',
            source_security_group_id: 'sg-0cluster',
            self: false,
            description: 'kubelet and pods from the control plane',
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_vpc_security_group_ingress_rule',
      name: 'node_self',
      instances: [
        {
          attributes: {
            id: 'sgr-0self',
            arn: arn('ec2', 'security-group-rule/sgr-0self'),
            security_group_id: 'sg-0node',
            referenced_security_group_id: 'sg-0node',
            ip_protocol: '-1',
            description: 'node to node',
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_vpc_security_group_egress_rule',
      name: 'node_all',
      instances: [
        {
          attributes: {
            id: 'sgr-0egress',
            security_group_id: 'sg-0node',
            cidr_ipv4: '0.0.0.0/0',
            ip_protocol: '-1',
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role',
      name: 'cluster',
      instances: [
        {
          attributes: {
            id: 'dev-cluster-role',
            name: 'dev-cluster-role',
            arn: `arn:aws:iam::${ACCOUNT}:role/dev-cluster-role`,
            path: '/',
            assume_role_policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'eks.amazonaws.com' },
                  Action: 'sts:AssumeRole',
                },
              ],
            }),
            max_session_duration: 3600,
            force_detach_policies: false,
            managed_policy_arns: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
            inline_policy: [],
            ...withTags('dev-cluster-role'),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role',
      name: 'node',
      instances: [
        {
          attributes: {
            id: 'dev-node-role',
            name: 'dev-node-role',
            arn: `arn:aws:iam::${ACCOUNT}:role/dev-node-role`,
            path: '/',
            assume_role_policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'ec2.amazonaws.com' },
                  Action: 'sts:AssumeRole',
                },
              ],
            }),
            max_session_duration: 3600,
            ...withTags('dev-node-role'),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role_policy_attachment',
      name: 'node',
      instances: [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEC2ContainerRegistryReadOnly',
        'AmazonEKS_CNI_Policy',
      ].map((p) => ({
        key: p,
        attributes: {
          id: `dev-node-role-${p}`,
          role: 'dev-node-role',
          policy_arn: `arn:aws:iam::aws:policy/${p}`,
        },
      })),
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role_policy',
      name: 'node_logs',
      instances: [
        {
          attributes: {
            id: 'dev-node-role:logs',
            role: 'dev-node-role',
            name: 'logs',
            policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }],
            }),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_policy',
      name: 'external_dns',
      instances: [
        {
          attributes: {
            id: `arn:aws:iam::${ACCOUNT}:policy/dev-external-dns`,
            arn: `arn:aws:iam::${ACCOUNT}:policy/dev-external-dns`,
            name: 'dev-external-dns',
            path: '/',
            description: 'external-dns on dev',
            policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'route53:ChangeResourceRecordSets', Resource: '*' },
              ],
            }),
            policy_id: 'ANPA0000',
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role',
      name: 'external_dns',
      instances: [
        {
          attributes: {
            id: 'dev-external-dns',
            name: 'dev-external-dns',
            arn: `arn:aws:iam::${ACCOUNT}:role/dev-external-dns`,
            assume_role_policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'pods.eks.amazonaws.com' },
                  Action: ['sts:AssumeRole', 'sts:TagSession'],
                },
              ],
            }),
            max_session_duration: 3600,
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_iam_role_policy_attachment',
      name: 'external_dns',
      instances: [
        {
          attributes: {
            id: 'dev-external-dns-1',
            role: 'dev-external-dns',
            policy_arn: `arn:aws:iam::${ACCOUNT}:policy/dev-external-dns`,
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_eks_cluster',
      name: 'this',
      instances: [
        {
          attributes: {
            id: 'dev',
            name: 'dev',
            arn: arn('eks', 'cluster/dev'),
            role_arn: `arn:aws:iam::${ACCOUNT}:role/dev-cluster-role`,
            version: '1.31',
            endpoint: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
            platform_version: 'eks.9',
            status: 'ACTIVE',
            certificate_authority: [{ data: SECRETS[0] }],
            enabled_cluster_log_types: ['audit', 'api'],
            vpc_config: [
              {
                subnet_ids: ['subnet-0private1', 'subnet-0private0'],
                security_group_ids: ['sg-0cluster'],
                endpoint_private_access: true,
                endpoint_public_access: false,
                public_access_cidrs: ['0.0.0.0/0'],
                cluster_security_group_id: 'sg-0eksmanaged',
                vpc_id: 'vpc-0a1b2c3d4e5f60001',
              },
            ],
            access_config: [
              {
                authentication_mode: 'API_AND_CONFIG_MAP',
                bootstrap_cluster_creator_admin_permissions: true,
              },
            ],
            kubernetes_network_config: [
              { service_ipv4_cidr: '172.20.0.0/16', ip_family: 'ipv4', service_ipv6_cidr: '' },
            ],
            upgrade_policy: [{ support_type: 'STANDARD' }],
            ...withTags('dev'),
          },
          sensitive: [['certificate_authority', 0, 'data']],
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_eks_node_group',
      name: 'default',
      instances: [
        {
          attributes: {
            id: 'dev:default',
            arn: arn('eks', 'nodegroup/dev/default/abc'),
            cluster_name: 'dev',
            node_group_name: 'default',
            node_role_arn: `arn:aws:iam::${ACCOUNT}:role/dev-node-role`,
            subnet_ids: ['subnet-0private0', 'subnet-0private1'],
            scaling_config: [{ desired_size: 2, max_size: 4, min_size: 1 }],
            update_config: [{ max_unavailable: 1, max_unavailable_percentage: 0 }],
            instance_types: ['m6i.large', 'm5.large'],
            ami_type: 'AL2023_x86_64_STANDARD',
            capacity_type: 'ON_DEMAND',
            disk_size: 50,
            labels: { role: 'general' },
            taint: [],
            version: '1.31',
            release_version: '1.31.2-20241121',
            status: 'ACTIVE',
            resources: [{ autoscaling_groups: [{ name: 'eks-default-abc' }] }],
            ...withTags('dev-default'),
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_eks_addon',
      name: 'this',
      instances: ['coredns', 'vpc-cni'].map((name) => ({
        key: name,
        attributes: {
          id: `dev:${name}`,
          arn: arn('eks', `addon/dev/${name}/abc`),
          cluster_name: 'dev',
          addon_name: name,
          addon_version: name === 'coredns' ? 'v1.11.3-eksbuild.2' : 'v1.19.0-eksbuild.1',
          resolve_conflicts_on_create: 'OVERWRITE',
          resolve_conflicts_on_update: 'PRESERVE',
          configuration_values:
            name === 'vpc-cni' ? JSON.stringify({ env: { AUTH: SECRETS[3] } }) : '',
          ...withTags(`dev-${name}`),
        },
        sensitive: name === 'vpc-cni' ? [['configuration_values']] : [],
      })),
    },
    {
      module: 'module.eks',
      type: 'aws_eks_access_entry',
      name: 'admin',
      instances: [
        {
          attributes: {
            id: `dev:arn:aws:iam::${ACCOUNT}:role/platform-admin`,
            access_entry_arn: arn('eks', 'access-entry/dev/role/abc'),
            cluster_name: 'dev',
            principal_arn: `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
            kubernetes_groups: [],
            type: 'STANDARD',
            user_name: `arn:aws:sts::${ACCOUNT}:assumed-role/platform-admin/{{SessionName}}`,
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_eks_access_policy_association',
      name: 'admin',
      instances: [
        {
          attributes: {
            id: 'dev#admin',
            cluster_name: 'dev',
            principal_arn: `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
            policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
            access_scope: [{ type: 'cluster', namespaces: [] }],
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_eks_pod_identity_association',
      name: 'external_dns',
      instances: [
        {
          attributes: {
            id: 'a-0externaldns',
            association_id: 'a-0externaldns',
            association_arn: arn('eks', 'podidentityassociation/dev/a-0externaldns'),
            cluster_name: 'dev',
            namespace: 'external-dns',
            service_account: 'external-dns',
            role_arn: `arn:aws:iam::${ACCOUNT}:role/dev-external-dns`,
          },
        },
      ],
    },
    {
      module: 'module.eks',
      type: 'aws_cloudwatch_log_group',
      name: 'cluster',
      instances: [
        {
          attributes: {
            id: '/aws/eks/dev/cluster',
            name: '/aws/eks/dev/cluster',
            retention_in_days: 30,
          },
        },
      ],
    },
    {
      type: 'aws_db_instance',
      name: 'app',
      instances: [
        {
          attributes: { id: 'db-dev', password: SECRETS[1], username: 'app' },
          sensitive: [['password']],
        },
      ],
    },
    {
      type: 'random_password',
      name: 'app',
      provider: 'provider["registry.terraform.io/hashicorp/random"]',
      instances: [
        { attributes: { id: 'none', result: SECRETS[2], length: 24 }, sensitive: [['result']] },
      ],
    },
    {
      type: 'aws_launch_template',
      name: 'unused',
      instances: [{ attributes: { id: 'lt-0', name: 'dev-lt', user_data: SECRETS[4] } }],
    },
  ];
}
