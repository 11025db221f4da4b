import { tagList, type Attributes } from '../attributes';
import { compact, refTo, type BuildContext, type KindMapper } from '../mapping';

/** Terraform's route target attributes → ACK's route fields (and the kind a `*Ref` may point at). */
const TARGETS: readonly [tf: string, ack: string, ref?: [kind: string, field: string]][] = [
  ['gateway_id', 'gatewayID', ['InternetGateway', 'gatewayRef']],
  ['nat_gateway_id', 'natGatewayID', ['NATGateway', 'natGatewayRef']],
  ['transit_gateway_id', 'transitGatewayID'],
  ['vpc_endpoint_id', 'vpcEndpointID'],
  ['vpc_peering_connection_id', 'vpcPeeringConnectionID'],
  ['network_interface_id', 'networkInterfaceID'],
  ['egress_only_gateway_id', 'egressOnlyInternetGatewayID'],
  ['carrier_gateway_id', 'carrierGatewayID'],
  ['local_gateway_id', 'localGatewayID'],
  ['core_network_arn', 'coreNetworkARN'],
];

/** One route, from an inline `route` block (`cidr_block`) or an aws_route (`destination_cidr_block`). */
function route(
  r: Attributes,
  ctx: BuildContext,
  at: string,
  inline: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    destinationCIDRBlock: r.string(inline ? 'cidr_block' : 'destination_cidr_block'),
    destinationIPv6CIDRBlock: r.string(inline ? 'ipv6_cidr_block' : 'destination_ipv6_cidr_block'),
    destinationPrefixListID: r.string('destination_prefix_list_id'),
  };
  for (const [tf, ack, ref] of TARGETS) {
    const id = r.string(tf);
    if (id === undefined) continue;
    const name = ref ? ctx.lookup(ref[0], id) : undefined;
    if (ref && name !== undefined) {
      ctx.note(`${at}.${ref[1]}`, id, name);
      out[ref[1]] = refTo(name);
    } else {
      ctx.note(`${at}.${ack}`, id, undefined);
      out[ack] = id;
    }
  }
  const instance = r.string('instance_id');
  if (instance !== undefined) {
    ctx.note(`${at}.instanceID`, instance, undefined);
    out['instanceID'] = instance;
  }
  return compact(out);
}

function destination(r: Record<string, unknown>): string {
  for (const k of ['destinationCIDRBlock', 'destinationIPv6CIDRBlock', 'destinationPrefixListID']) {
    const v = r[k];
    if (typeof v === 'string') return v;
  }
  return '';
}

export const routeTableMapper: KindMapper = {
  tfType: 'aws_route_table',
  apiVersion: 'ec2.services.k8s.aws/v1alpha1',
  kind: 'RouteTable',
  regional: true,
  computed: ['id', 'arn', 'owner_id', 'tags', 'tags_all', 'timeouts', 'region'],
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.tags()?.['Name'],
  adoptionFields: (a) => ({ routeTableID: a.requiredString('id') }),
  build(a, ctx) {
    const id = a.requiredString('id');
    if (a.strings('propagating_vgws').length > 0)
      ctx.partial('propagating_vgws', 'ACK RouteTable has no route propagation field');
    // Routes declared inline and as aws_route resources: the refreshed `route` attribute lists both, so one
    // destination is kept once (aws_route wins: it is the resource that will be removed from the state).
    const byDestination = new Map<string, Record<string, unknown>>();
    const separate = ctx.children('aws_route', (c) => c.string('route_table_id') === id);
    const inline = a.blocks('route');
    const all = [
      ...inline.map((r) => ({ r, inline: true })),
      ...separate.map((r) => ({ r, inline: false })),
    ];
    for (const { r, inline: isInline } of all) {
      const built = route(r, ctx, 'routes[]', isInline);
      byDestination.set(destination(built), built);
    }
    const routes = [...byDestination.keys()].sort().map((k) => byDestination.get(k)!);
    return compact({
      ...(() => {
        const vpc = a.requiredString('vpc_id');
        const name = ctx.ref('VPC', vpc, 'vpcRef');
        if (name !== undefined) return { vpcRef: refTo(name) };
        ctx.note('vpcID', vpc, undefined);
        return { vpcID: vpc };
      })(),
      routes,
      tags: tagList(a.tags()),
    });
  },
};
