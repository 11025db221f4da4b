import { compact, idsOrRefs, refTo, type BuildContext, type KindMapper } from '../mapping';

const EKS = 'eks.services.k8s.aws/v1alpha1';
const COMMON = ['id', 'arn', 'tags', 'tags_all', 'timeouts', 'region'];

/** `clusterRef` when the cluster was imported, else `clusterName`. */
function cluster(ctx: BuildContext, name: string): Record<string, unknown> {
  const emitted = ctx.ref('Cluster', name, 'clusterRef');
  if (emitted !== undefined) return { clusterRef: refTo(emitted) };
  ctx.note('clusterName', name, undefined);
  return { clusterName: name };
}

export const clusterMapper: KindMapper = {
  tfType: 'aws_eks_cluster',
  apiVersion: EKS,
  kind: 'Cluster',
  regional: true,
  computed: [
    ...COMMON,
    'certificate_authority',
    'cluster_id',
    'created_at',
    'endpoint',
    'identity',
    'platform_version',
    'status',
    'default_addons_to_remove',
    'bootstrap_self_managed_addons',
    'force_update_version',
  ],
  identities: (a) => [a.requiredString('name'), ...(a.string('arn') ? [a.string('arn')!] : [])],
  naturalName: (a) => a.string('name'),
  adoptionFields: (a) => ({ name: a.requiredString('name') }),
  build(a, ctx) {
    const vpc = a.block('vpc_config');
    const net = a.block('kubernetes_network_config');
    const access = a.block('access_config');
    if (net?.string('service_ipv6_cidr') !== undefined)
      ctx.partial(
        'kubernetes_network_config[0].service_ipv6_cidr',
        'computed by EKS; ACK has no field for it',
      );
    const logTypes = a.strings('enabled_cluster_log_types');
    const role = a.requiredString('role_arn');
    const roleName = ctx.ref('Role', role, 'roleRef');
    if (roleName === undefined) ctx.note('roleARN', role, undefined);
    const compute = a.block('compute_config');
    const storage = a.block('storage_config')?.block('block_storage');
    const elb = net?.block('elastic_load_balancing');
    return compact({
      name: a.requiredString('name'),
      ...(roleName === undefined ? { roleARN: role } : { roleRef: refTo(roleName) }),
      version: a.string('version'),
      resourcesVPCConfig: compact({
        ...idsOrRefs(ctx, 'Subnet', vpc?.strings('subnet_ids') ?? [], 'subnetIDs', 'subnetRefs'),
        ...idsOrRefs(
          ctx,
          'SecurityGroup',
          vpc?.strings('security_group_ids') ?? [],
          'securityGroupIDs',
          'securityGroupRefs',
        ),
        endpointPrivateAccess: vpc?.boolean('endpoint_private_access'),
        endpointPublicAccess: vpc?.boolean('endpoint_public_access'),
        publicAccessCIDRs: vpc?.strings('public_access_cidrs'),
      }),
      accessConfig: access
        ? compact({
            authenticationMode: access.string('authentication_mode'),
            bootstrapClusterCreatorAdminPermissions: access.boolean(
              'bootstrap_cluster_creator_admin_permissions',
            ),
          })
        : undefined,
      kubernetesNetworkConfig: net
        ? compact({
            ipFamily: net.string('ip_family'),
            serviceIPv4CIDR: net.string('service_ipv4_cidr'),
            elasticLoadBalancing: elb ? compact({ enabled: elb.boolean('enabled') }) : undefined,
          })
        : undefined,
      logging:
        logTypes.length > 0 ? { clusterLogging: [{ enabled: true, types: logTypes }] } : undefined,
      encryptionConfig: a.blocks('encryption_config').map((e) =>
        compact({
          provider: compact({ keyARN: e.block('provider')?.string('key_arn') }),
          resources: e.strings('resources'),
        }),
      ),
      computeConfig: compute
        ? compact({
            enabled: compute.boolean('enabled'),
            nodePools: compute.strings('node_pools'),
            nodeRoleARN: compute.string('node_role_arn'),
          })
        : undefined,
      storageConfig: storage
        ? { blockStorage: compact({ enabled: storage.boolean('enabled') }) }
        : undefined,
      upgradePolicy: a.block('upgrade_policy')
        ? compact({ supportType: a.block('upgrade_policy')!.string('support_type') })
        : undefined,
      zonalShiftConfig: a.block('zonal_shift_config')
        ? compact({ enabled: a.block('zonal_shift_config')!.boolean('enabled') })
        : undefined,
      deletionProtection: a.boolean('deletion_protection'),
      tags: a.tags(),
    });
  },
};

export const nodegroupMapper: KindMapper = {
  tfType: 'aws_eks_node_group',
  apiVersion: EKS,
  kind: 'Nodegroup',
  regional: true,
  computed: [...COMMON, 'resources', 'status', 'node_group_name_prefix', 'force_update_version'],
  identities: (a) => [`${a.requiredString('cluster_name')}:${a.requiredString('node_group_name')}`],
  naturalName: (a) => `${a.requiredString('cluster_name')}-${a.requiredString('node_group_name')}`,
  adoptionFields: (a) => ({
    name: a.requiredString('node_group_name'),
    clusterName: a.requiredString('cluster_name'),
  }),
  build(a, ctx) {
    const scaling = a.block('scaling_config');
    const update = a.block('update_config');
    const lt = a.block('launch_template');
    const remote = a.block('remote_access');
    const role = a.requiredString('node_role_arn');
    const roleName = ctx.ref('Role', role, 'nodeRoleRef');
    if (roleName === undefined) ctx.note('nodeRole', role, undefined);
    if (a.block('node_repair_config') !== undefined)
      ctx.partial('node_repair_config', 'ACK Nodegroup has no node repair field');
    return compact({
      name: a.requiredString('node_group_name'),
      ...cluster(ctx, a.requiredString('cluster_name')),
      ...(roleName === undefined ? { nodeRole: role } : { nodeRoleRef: refTo(roleName) }),
      ...idsOrRefs(ctx, 'Subnet', a.strings('subnet_ids'), 'subnets', 'subnetRefs'),
      scalingConfig: scaling
        ? compact({
            minSize: scaling.number('min_size'),
            maxSize: scaling.number('max_size'),
            desiredSize: scaling.number('desired_size'),
          })
        : undefined,
      instanceTypes: a.orderedStrings('instance_types'),
      amiType: a.string('ami_type'),
      capacityType: a.string('capacity_type'),
      diskSize: a.number('disk_size') || undefined,
      labels: a.stringMap('labels'),
      taints: a
        .blocks('taint')
        .map((t) =>
          compact({ key: t.string('key'), value: t.string('value'), effect: t.string('effect') }),
        )
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      launchTemplate: lt
        ? compact({ id: lt.string('id'), name: lt.string('name'), version: lt.string('version') })
        : undefined,
      remoteAccess: remote
        ? compact({
            ec2SshKey: remote.string('ec2_ssh_key'),
            sourceSecurityGroups: remote.strings('source_security_group_ids'),
          })
        : undefined,
      updateConfig: update
        ? compact({
            maxUnavailable: update.number('max_unavailable') || undefined,
            maxUnavailablePercentage: update.number('max_unavailable_percentage') || undefined,
          })
        : undefined,
      releaseVersion: a.string('release_version'),
      version: a.string('version'),
      tags: a.tags(),
    });
  },
};

export const addonMapper: KindMapper = {
  tfType: 'aws_eks_addon',
  apiVersion: EKS,
  kind: 'Addon',
  regional: true,
  computed: [...COMMON, 'created_at', 'modified_at', 'resolve_conflicts', 'preserve'],
  identities: (a) => [`${a.requiredString('cluster_name')}:${a.requiredString('addon_name')}`],
  naturalName: (a) => `${a.requiredString('cluster_name')}-${a.requiredString('addon_name')}`,
  adoptionFields: (a) => ({
    name: a.requiredString('addon_name'),
    clusterName: a.requiredString('cluster_name'),
  }),
  build(a, ctx) {
    const onCreate = a.string('resolve_conflicts_on_create');
    const onUpdate = a.string('resolve_conflicts_on_update');
    if (onCreate !== undefined && onUpdate !== undefined && onCreate !== onUpdate)
      ctx.partial(
        'resolve_conflicts_on_create',
        `ACK has one resolveConflicts; resolve_conflicts_on_update (${onUpdate}) is used`,
      );
    const saRole = a.string('service_account_role_arn');
    const saRoleName =
      saRole === undefined ? undefined : ctx.ref('Role', saRole, 'serviceAccountRoleRef');
    if (saRole !== undefined && saRoleName === undefined)
      ctx.note('serviceAccountRoleARN', saRole, undefined);
    return compact({
      name: a.requiredString('addon_name'),
      ...cluster(ctx, a.requiredString('cluster_name')),
      addonVersion: a.string('addon_version'),
      configurationValues: a.string('configuration_values'),
      resolveConflicts: onUpdate ?? onCreate,
      ...(saRoleName !== undefined
        ? { serviceAccountRoleRef: refTo(saRoleName) }
        : { serviceAccountRoleARN: saRole }),
      podIdentityAssociations: a.blocks('pod_identity_association').map((p, i) => {
        const role = p.requiredString('role_arn');
        const roleName = ctx.ref('Role', role, `podIdentityAssociations[${i}].roleRef`);
        if (roleName === undefined)
          ctx.note(`podIdentityAssociations[${i}].roleARN`, role, undefined);
        return compact({
          serviceAccount: p.string('service_account'),
          ...(roleName === undefined ? { roleARN: role } : { roleRef: refTo(roleName) }),
        });
      }),
      tags: a.tags(),
    });
  },
};

export const accessEntryMapper: KindMapper = {
  tfType: 'aws_eks_access_entry',
  apiVersion: EKS,
  kind: 'AccessEntry',
  regional: true,
  computed: [...COMMON, 'access_entry_arn', 'created_at', 'modified_at'],
  identities: (a) => [`${a.requiredString('cluster_name')}:${a.requiredString('principal_arn')}`],
  naturalName: (a) =>
    `${a.requiredString('cluster_name')}-${a.requiredString('principal_arn').split('/').pop()!}`,
  adoptionFields: (a) => ({
    clusterName: a.requiredString('cluster_name'),
    principalARN: a.requiredString('principal_arn'),
  }),
  build(a, ctx) {
    const clusterName = a.requiredString('cluster_name');
    const principal = a.requiredString('principal_arn');
    // aws_eks_access_policy_association is its own resource in Terraform; ACK holds the policies in the entry.
    const policies = ctx
      .children(
        'aws_eks_access_policy_association',
        (c) => c.string('cluster_name') === clusterName && c.string('principal_arn') === principal,
      )
      .map((p) => {
        const scope = p.block('access_scope');
        return compact({
          policyARN: p.requiredString('policy_arn'),
          accessScope: scope
            ? compact({ type: scope.string('type'), namespaces: scope.strings('namespaces') })
            : undefined,
        });
      })
      .sort((x, y) => String(x['policyARN']).localeCompare(String(y['policyARN'])));
    return compact({
      ...cluster(ctx, clusterName),
      principalARN: principal,
      kubernetesGroups: a.strings('kubernetes_groups'),
      type: a.string('type'),
      username: a.string('user_name'),
      accessPolicies: policies,
      tags: a.tags(),
    });
  },
};

export const podIdentityAssociationMapper: KindMapper = {
  tfType: 'aws_eks_pod_identity_association',
  apiVersion: EKS,
  kind: 'PodIdentityAssociation',
  regional: true,
  computed: [...COMMON, 'association_arn', 'association_id', 'external_id'],
  identities: (a) => [a.requiredString('association_id')],
  naturalName: (a) =>
    `${a.requiredString('cluster_name')}-${a.requiredString('namespace')}-${a.requiredString('service_account')}`,
  adoptionFields: (a) => ({
    associationID: a.requiredString('association_id'),
    clusterName: a.requiredString('cluster_name'),
  }),
  build(a, ctx) {
    const role = a.requiredString('role_arn');
    const roleName = ctx.ref('Role', role, 'roleRef');
    if (roleName === undefined) ctx.note('roleARN', role, undefined);
    const target = a.string('target_role_arn');
    const targetName = target === undefined ? undefined : ctx.ref('Role', target, 'targetRoleRef');
    if (target !== undefined && targetName === undefined)
      ctx.note('targetRoleARN', target, undefined);
    return compact({
      ...cluster(ctx, a.requiredString('cluster_name')),
      namespace: a.requiredString('namespace'),
      serviceAccount: a.requiredString('service_account'),
      ...(roleName === undefined ? { roleARN: role } : { roleRef: refTo(roleName) }),
      ...(targetName !== undefined
        ? { targetRoleRef: refTo(targetName) }
        : { targetRoleARN: target }),
      disableSessionTags: a.boolean('disable_session_tags') || undefined,
      tags: a.tags(),
    });
  },
};
