import { tagList, type Attributes } from '../attributes';
import { compact, refTo, type BuildContext, type KindMapper } from '../mapping';
import { oneRef } from './ec2-network';

type Rule = Record<string, unknown>;

/** AWS reports no ports for "all protocols"; writing Terraform's 0/0 there would be a change on first reconcile. */
function ports(protocol: string, from: number | undefined, to: number | undefined): Rule {
  return protocol === '-1' || protocol === 'all' ? {} : { fromPort: from, toPort: to };
}

function groupPair(
  ctx: BuildContext,
  groupId: string,
  ownId: string,
  at: string,
  description?: string,
): Rule {
  // A rule naming its own group keeps the id: a reference to itself would wait for itself to be synced.
  if (groupId === ownId) return compact({ groupID: groupId, description });
  const name = ctx.lookup('SecurityGroup', groupId);
  ctx.note(name === undefined ? `${at}.groupID` : `${at}.groupRef`, groupId, name);
  return compact(
    name === undefined ? { groupID: groupId, description } : { groupRef: refTo(name), description },
  );
}

/** An inline `ingress`/`egress` block or an aws_security_group_rule (same attribute names). */
function classicRule(
  r: Attributes,
  ctx: BuildContext,
  ownId: string,
  at: string,
  sourceAttr: string,
): Rule {
  const protocol = r.requiredString('protocol');
  const description = r.string('description');
  const pairs: Rule[] = [];
  const sources =
    sourceAttr === 'security_groups'
      ? r.strings(sourceAttr)
      : [r.string(sourceAttr)].filter((g): g is string => g !== undefined);
  for (const g of sources)
    pairs.push(groupPair(ctx, g, ownId, `${at}.userIDGroupPairs[]`, description));
  // `self` names the group itself: its own id is known, a reference to itself would wait on itself.
  if (r.boolean('self') === true) pairs.push(compact({ groupID: ownId, description }));
  return compact({
    ipProtocol: protocol,
    ...ports(protocol, r.number('from_port'), r.number('to_port')),
    ipRanges: r.strings('cidr_blocks').map((c) => compact({ cidrIP: c, description })),
    ipv6Ranges: r.strings('ipv6_cidr_blocks').map((c) => compact({ cidrIPv6: c, description })),
    prefixListIDs: r
      .strings('prefix_list_ids')
      .map((p) => compact({ prefixListID: p, description })),
    userIDGroupPairs: pairs,
  });
}

/** aws_vpc_security_group_ingress_rule / _egress_rule: one source per rule. */
function vpcRule(r: Attributes, ctx: BuildContext, ownId: string, at: string): Rule {
  const protocol = r.requiredString('ip_protocol');
  const description = r.string('description');
  const cidr4 = r.string('cidr_ipv4');
  const cidr6 = r.string('cidr_ipv6');
  const prefix = r.string('prefix_list_id');
  const group = r.string('referenced_security_group_id');
  return compact({
    ipProtocol: protocol,
    ...ports(protocol, r.number('from_port'), r.number('to_port')),
    ipRanges: cidr4 === undefined ? [] : [compact({ cidrIP: cidr4, description })],
    ipv6Ranges: cidr6 === undefined ? [] : [compact({ cidrIPv6: cidr6, description })],
    prefixListIDs: prefix === undefined ? [] : [compact({ prefixListID: prefix, description })],
    userIDGroupPairs:
      group === undefined
        ? []
        : [groupPair(ctx, group, ownId, `${at}.userIDGroupPairs[]`, description)],
  });
}

/** Rules in a stable order, each once (a refreshed group lists the rules of separate rule resources too). */
function uniqueSorted(rules: Rule[]): Rule[] {
  const byText = new Map(rules.map((r) => [JSON.stringify(r), r]));
  return [...byText.keys()].sort().map((k) => byText.get(k)!);
}

export const securityGroupMapper: KindMapper = {
  tfType: 'aws_security_group',
  apiVersion: 'ec2.services.k8s.aws/v1alpha1',
  kind: 'SecurityGroup',
  regional: true,
  computed: [
    'id',
    'arn',
    'owner_id',
    'tags',
    'tags_all',
    'timeouts',
    'region',
    'name_prefix',
    'revoke_rules_on_delete',
  ],
  identities: (a) => [a.requiredString('id')],
  naturalName: (a) => a.string('name'),
  adoptionFields: (a) => ({ id: a.requiredString('id') }),
  build(a, ctx) {
    const id = a.requiredString('id');
    if (a.boolean('revoke_rules_on_delete') === true)
      ctx.partial(
        'revoke_rules_on_delete',
        'ACK SecurityGroup has no such option (Terraform-only behaviour)',
      );
    const ingress = a
      .blocks('ingress')
      .map((r) => classicRule(r, ctx, id, 'ingressRules[]', 'security_groups'));
    const egress = a
      .blocks('egress')
      .map((r) => classicRule(r, ctx, id, 'egressRules[]', 'security_groups'));
    for (const r of ctx.children(
      'aws_security_group_rule',
      (c) => c.string('security_group_id') === id,
    )) {
      const type = r.requiredString('type');
      const rule = classicRule(r, ctx, id, `${type}Rules[]`, 'source_security_group_id');
      (type === 'egress' ? egress : ingress).push(rule);
    }
    for (const r of ctx.children(
      'aws_vpc_security_group_ingress_rule',
      (c) => c.string('security_group_id') === id,
    ))
      ingress.push(vpcRule(r, ctx, id, 'ingressRules[]'));
    for (const r of ctx.children(
      'aws_vpc_security_group_egress_rule',
      (c) => c.string('security_group_id') === id,
    ))
      egress.push(vpcRule(r, ctx, id, 'egressRules[]'));
    return compact({
      name: a.requiredString('name'),
      description: a.string('description') ?? '',
      ...oneRef(ctx, 'VPC', a.string('vpc_id'), 'vpcID', 'vpcRef'),
      ingressRules: uniqueSorted(ingress),
      egressRules: uniqueSorted(egress),
      tags: tagList(a.tags()),
    });
  },
};
