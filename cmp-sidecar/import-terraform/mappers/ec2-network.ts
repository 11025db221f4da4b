import { tagList } from '../attributes';
import { compact, idsOrRefs, refTo, type BuildContext, type KindMapper } from '../mapping';

const EC2 = 'ec2.services.k8s.aws/v1alpha1';
/** What every EC2 resource carries that AWS computes or only Terraform holds. */
const COMMON = ['id', 'arn', 'owner_id', 'tags', 'tags_all', 'timeouts', 'region'];

/** `fieldRef: {from: {name}}` for an imported target, else `field: id` (both recorded for the report). */
export function oneRef(
  ctx: BuildContext,
  kind: string,
  id: string | undefined,
  field: string,
  refField: string,
): Record<string, unknown> {
  if (id === undefined) return {};
  const name = ctx.ref(kind, id, refField);
  if (name !== undefined) return { [refField]: refTo(name) };
  ctx.note(field, id, undefined);
  return { [field]: id };
}

export const vpcMapper: KindMapper = {
  tfType: 'aws_vpc',
  apiVersion: EC2,
  kind: 'VPC',
  regional: true,
  computed: [
    ...COMMON,
    'default_network_acl_id',
    'default_route_table_id',
    'default_security_group_id',
    'dhcp_options_id',
    'main_route_table_id',
    'ipv6_association_id',
    'ipv6_cidr_block_network_border_group',
    'enable_classiclink',
    'enable_classiclink_dns_support',
  ],
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ vpcID: a.requiredString('id') }),
  build(a) {
    return compact({
      cidrBlocks: [a.requiredString('cidr_block')],
      enableDNSSupport: a.boolean('enable_dns_support'),
      enableDNSHostnames: a.boolean('enable_dns_hostnames'),
      enableNetworkAddressUsageMetrics:
        a.boolean('enable_network_address_usage_metrics') || undefined,
      instanceTenancy: a.string('instance_tenancy'),
      amazonProvidedIPv6CIDRBlock: a.boolean('assign_generated_ipv6_cidr_block') || undefined,
      ipv4IPAMPoolID: a.string('ipv4_ipam_pool_id'),
      ipv4NetmaskLength: a.number('ipv4_netmask_length'),
      ipv6CIDRBlock: a.boolean('assign_generated_ipv6_cidr_block')
        ? undefined
        : a.string('ipv6_cidr_block'),
      ipv6IPAMPoolID: a.string('ipv6_ipam_pool_id'),
      ipv6NetmaskLength: a.number('ipv6_netmask_length'),
      tags: tagList(a.tags()),
    });
  },
};

export const subnetMapper: KindMapper = {
  tfType: 'aws_subnet',
  apiVersion: EC2,
  kind: 'Subnet',
  regional: true,
  computed: [...COMMON, 'ipv6_cidr_block_association_id', 'map_customer_owned_ip_on_launch'],
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ subnetID: a.requiredString('id') }),
  build(a, ctx) {
    const id = a.requiredString('id');
    // ACK's RouteTable has no association field: a subnet names its route tables (routeTables/routeTableRefs).
    const tables = ctx
      .children('aws_route_table_association', (c) => c.string('subnet_id') === id)
      .map((c) => c.requiredString('route_table_id'))
      .sort();
    return compact({
      ...oneRef(ctx, 'VPC', a.requiredString('vpc_id'), 'vpcID', 'vpcRef'),
      cidrBlock: a.string('cidr_block'),
      availabilityZone: a.string('availability_zone'),
      availabilityZoneID:
        a.string('availability_zone') === undefined ? a.string('availability_zone_id') : undefined,
      mapPublicIPOnLaunch: a.boolean('map_public_ip_on_launch'),
      assignIPv6AddressOnCreation: a.boolean('assign_ipv6_address_on_creation') || undefined,
      enableDNS64: a.boolean('enable_dns64') || undefined,
      enableResourceNameDNSARecord:
        a.boolean('enable_resource_name_dns_a_record_on_launch') || undefined,
      enableResourceNameDNSAAAARecord:
        a.boolean('enable_resource_name_dns_aaaa_record_on_launch') || undefined,
      hostnameType: a.string('private_dns_hostname_type_on_launch'),
      ipv6CIDRBlock: a.string('ipv6_cidr_block'),
      ipv6Native: a.boolean('ipv6_native') || undefined,
      customerOwnedIPv4Pool: a.string('customer_owned_ipv4_pool'),
      outpostARN: a.string('outpost_arn'),
      ...idsOrRefs(ctx, 'RouteTable', tables, 'routeTables', 'routeTableRefs'),
      tags: tagList(a.tags()),
    });
  },
};

export const internetGatewayMapper: KindMapper = {
  tfType: 'aws_internet_gateway',
  apiVersion: EC2,
  kind: 'InternetGateway',
  regional: true,
  computed: COMMON,
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ internetGatewayID: a.requiredString('id') }),
  build(a, ctx) {
    return compact({
      ...oneRef(ctx, 'VPC', a.string('vpc_id'), 'vpc', 'vpcRef'),
      tags: tagList(a.tags()),
    });
  },
};

export const natGatewayMapper: KindMapper = {
  tfType: 'aws_nat_gateway',
  apiVersion: EC2,
  kind: 'NATGateway',
  regional: true,
  computed: [...COMMON, 'association_id', 'network_interface_id', 'public_ip', 'private_ip'],
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ natGatewayID: a.requiredString('id') }),
  build(a, ctx) {
    if (a.strings('secondary_allocation_ids').length > 0)
      ctx.partial('secondary_allocation_ids', 'ACK NATGateway has no secondary addresses');
    if (a.strings('secondary_private_ip_addresses').length > 0)
      ctx.partial('secondary_private_ip_addresses', 'ACK NATGateway has no secondary addresses');
    a.number('secondary_private_ip_address_count');
    return compact({
      ...oneRef(
        ctx,
        'ElasticIPAddress',
        a.string('allocation_id'),
        'allocationID',
        'allocationRef',
      ),
      ...oneRef(ctx, 'Subnet', a.string('subnet_id'), 'subnetID', 'subnetRef'),
      connectivityType: a.string('connectivity_type'),
      tags: tagList(a.tags()),
    });
  },
};

export const eipMapper: KindMapper = {
  tfType: 'aws_eip',
  apiVersion: EC2,
  kind: 'ElasticIPAddress',
  regional: true,
  computed: [
    ...COMMON,
    'allocation_id',
    'association_id',
    'carrier_ip',
    'customer_owned_ip',
    'domain',
    'vpc',
    'private_dns',
    'private_ip',
    'public_dns',
    'public_ip',
    'ptr_record',
    'network_interface',
    'instance',
  ],
  identities: (a) => [a.string('allocation_id') ?? a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ allocationID: a.string('allocation_id') ?? a.requiredString('id') }),
  build(a, ctx) {
    if (a.string('associate_with_private_ip') !== undefined)
      ctx.partial('associate_with_private_ip', 'ACK ElasticIPAddress does not associate addresses');
    return compact({
      address: a.string('address'),
      customerOwnedIPv4Pool: a.string('customer_owned_ipv4_pool'),
      networkBorderGroup: a.string('network_border_group'),
      publicIPv4Pool:
        a.string('public_ipv4_pool') === 'amazon' ? undefined : a.string('public_ipv4_pool'),
      tags: tagList(a.tags()),
    });
  },
};
