import { tagList } from '../attributes';
import { compact, idsOrRefs, type KindMapper } from '../mapping';

const IAM = 'iam.services.k8s.aws/v1alpha1';
const COMMON = [
  'id',
  'arn',
  'tags',
  'tags_all',
  'timeouts',
  'create_date',
  'unique_id',
  'name_prefix',
];

export const roleMapper: KindMapper = {
  tfType: 'aws_iam_role',
  apiVersion: IAM,
  kind: 'Role',
  regional: false,
  computed: [...COMMON, 'force_detach_policies'],
  identities: (a) => [a.requiredString('name'), a.requiredString('arn')],
  naturalName: (a) => a.string('name'),
  adoptionFields: (a) => ({ name: a.requiredString('name') }),
  build(a, ctx) {
    const name = a.requiredString('name');
    const attached = new Set(a.strings('managed_policy_arns'));
    for (const c of ctx.children(
      'aws_iam_role_policy_attachment',
      (c) => c.string('role') === name,
    ))
      attached.add(c.requiredString('policy_arn'));
    const inline: Record<string, string> = {};
    for (const p of a.blocks('inline_policy')) {
      const policyName = p.string('name');
      const doc = p.string('policy');
      if (policyName !== undefined && doc !== undefined) inline[policyName] = doc;
    }
    for (const c of ctx.children('aws_iam_role_policy', (c) => c.string('role') === name))
      inline[c.requiredString('name')] = c.requiredString('policy');
    const boundary = a.string('permissions_boundary');
    return compact({
      name,
      path: a.string('path'),
      description: a.string('description'),
      assumeRolePolicyDocument: a.requiredString('assume_role_policy'),
      maxSessionDuration: a.number('max_session_duration'),
      permissionsBoundary: boundary,
      ...idsOrRefs(ctx, 'Policy', [...attached].sort(), 'policies', 'policyRefs'),
      inlinePolicies: Object.fromEntries(
        Object.keys(inline)
          .sort()
          .map((k) => [k, inline[k]!]),
      ),
      tags: tagList(a.tags()),
    });
  },
};

export const policyMapper: KindMapper = {
  tfType: 'aws_iam_policy',
  apiVersion: IAM,
  kind: 'Policy',
  regional: false,
  computed: [...COMMON, 'policy_id', 'attachment_count'],
  identities: (a) => [a.requiredString('arn')],
  naturalName: (a) => a.string('name'),
  adoptionFields: (a) => ({ arn: a.requiredString('arn') }),
  build(a) {
    return compact({
      name: a.requiredString('name'),
      path: a.string('path'),
      description: a.string('description'),
      policyDocument: a.requiredString('policy'),
      tags: tagList(a.tags()),
    });
  },
};
