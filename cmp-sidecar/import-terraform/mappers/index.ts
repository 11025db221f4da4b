import type { AuxiliaryType, KindMapper } from '../mapping';
import {
  clusterMapper,
  nodegroupMapper,
  addonMapper,
  accessEntryMapper,
  podIdentityAssociationMapper,
} from './eks';
import {
  eipMapper,
  internetGatewayMapper,
  natGatewayMapper,
  subnetMapper,
  vpcMapper,
} from './ec2-network';
import { roleMapper, policyMapper } from './iam';
import { routeTableMapper } from './route-tables';
import { securityGroupMapper } from './security-groups';

/** Every Terraform type that becomes an ACK object. */
export const MAPPERS: readonly KindMapper[] = [
  vpcMapper,
  subnetMapper,
  internetGatewayMapper,
  natGatewayMapper,
  eipMapper,
  routeTableMapper,
  securityGroupMapper,
  clusterMapper,
  nodegroupMapper,
  addonMapper,
  accessEntryMapper,
  podIdentityAssociationMapper,
  roleMapper,
  policyMapper,
];

/** Terraform types folded into an object of another type. */
export const AUXILIARY: readonly AuxiliaryType[] = [
  { tfType: 'aws_route_table_association', parentKind: 'Subnet' },
  { tfType: 'aws_route', parentKind: 'RouteTable' },
  { tfType: 'aws_security_group_rule', parentKind: 'SecurityGroup' },
  { tfType: 'aws_vpc_security_group_ingress_rule', parentKind: 'SecurityGroup' },
  { tfType: 'aws_vpc_security_group_egress_rule', parentKind: 'SecurityGroup' },
  { tfType: 'aws_eks_access_policy_association', parentKind: 'AccessEntry' },
  { tfType: 'aws_iam_role_policy_attachment', parentKind: 'Role' },
  { tfType: 'aws_iam_role_policy', parentKind: 'Role' },
];
