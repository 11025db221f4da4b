import type { ImportResult } from './import';
import type { SchemaCheck } from './schema-check';
import type { Phase } from './types';

/** Everything the report says, as the JSON of --report holds it; the markdown is rendered from it. */
export interface ImportReport {
  readonly state: { readonly file: string };
  readonly phase: Phase;
  readonly namespace: string | null;
  readonly schemaCheck: {
    readonly crdDirs: readonly string[];
    readonly checked: readonly string[];
    readonly unchecked: readonly string[];
  } | null;
  readonly mapped: readonly {
    address: string;
    folded: readonly string[];
    kind: string;
    name: string;
    region: string | null;
    accountId: string | null;
    adoptionFields: Readonly<Record<string, string>>;
    adoptedFields: readonly string[];
  }[];
  readonly partiallyMapped: readonly { address: string; attribute: string; reason: string }[];
  readonly notMapped: readonly { address: string; type: string; reason: string }[];
  readonly references: {
    readonly resolved: readonly {
      address: string;
      field: string;
      target: string;
      object: string;
    }[];
    readonly literal: readonly { address: string; field: string; target: string }[];
  };
  readonly disambiguatedNames: readonly { address: string; name: string }[];
  readonly checklist: readonly string[];
  readonly stateRm: readonly string[];
  /** With --rgd: the ResourceGraphDefinition emitted instead of the flat objects. */
  readonly rgd: {
    readonly name: string;
    readonly kind: string;
    readonly schema: Readonly<Record<string, string>>;
  } | null;
}

export function buildReport(
  result: ImportResult,
  file: string,
  phase: Phase,
  namespace: string | undefined,
  schema: (SchemaCheck & { crdDirs: readonly string[] }) | undefined,
  rgd: ImportReport['rgd'] = null,
): ImportReport {
  const nameOf = new Map(result.mapped.map((m) => [m.address, m.name]));
  const addresses = result.mapped.flatMap((m) => [...m.folded, m.address]);
  return {
    state: { file },
    phase,
    namespace: namespace ?? null,
    schemaCheck: schema
      ? { crdDirs: schema.crdDirs, checked: schema.checked, unchecked: schema.unchecked }
      : null,
    mapped: result.mapped.map((m) => ({
      address: m.address,
      folded: m.folded,
      kind: m.kind,
      name: m.name,
      region: m.region ?? null,
      accountId: m.accountId ?? null,
      adoptionFields: m.adoptionFields,
      adoptedFields: Object.keys(m.spec)
        .sort()
        .map((k) => `spec.${k}`),
    })),
    partiallyMapped: result.mapped.flatMap((m) =>
      m.partial.map((p) => ({ address: m.address, ...p })),
    ),
    notMapped: result.notMapped,
    references: {
      resolved: result.mapped.flatMap((m) =>
        m.references
          .filter((r) => r.resolvedTo !== undefined)
          .map((r) => ({
            address: m.address,
            field: r.field,
            target: r.target,
            object: r.resolvedTo!,
          })),
      ),
      literal: result.mapped.flatMap((m) =>
        m.references
          .filter((r) => r.resolvedTo === undefined)
          .map((r) => ({ address: m.address, field: r.field, target: r.target })),
      ),
    },
    disambiguatedNames: result.disambiguated.map((address) => ({
      address,
      name: nameOf.get(address)!,
    })),
    checklist: checklist(phase),
    stateRm: phase === 'own' ? addresses.map((a) => `terraform state rm ${shellQuote(a)}`) : [],
    rgd,
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function checklist(phase: Phase): string[] {
  const fresh =
    'Make the state fresh first: `terraform apply -refresh-only` (review and approve), or a `terraform plan` that shows no changes; then run this import again on that state. ACK adopts the live resource, and a spec built from a stale state would change AWS.';
  const sync =
    'Sync the objects with Argo CD using the sync option `ServerSideApply=true`, so Argo CD owns only the fields it sets and fields ACK fills in later cause no drift.';
  const adopted =
    'Wait for every object to report the conditions `ACK.Adopted` and `ACK.ResourceSynced` True (`kubectl get <kind> <name> -o yaml`); an object that stays unsynced names its problem in its conditions.';
  const same = 'Run `terraform plan`: it must still show no changes.';
  switch (phase) {
    case 'observe':
      return [
        fresh,
        'Install the ACK ec2, eks and iam controllers with credentials that can read these resources in their region and account.',
        sync,
        adopted,
        'Compare each object\'s status with the Terraform state (ids, ARNs, CIDRs): ACK only reads (`services.k8s.aws/read-only: "true"`); Terraform still owns every resource.',
        same,
      ];
    case 'adopt':
      return [
        fresh,
        'Check that the observe phase is synced for every object (`ACK.ResourceSynced` True) and that its status matches the state.',
        'Freeze Terraform for these addresses: from here on ACK reconciles them, and a `terraform apply` touching them makes two writers.',
        sync,
        adopted,
        'Check that the first reconcile changed nothing: no update events on the objects, no Modify*/Update* calls for these resources in CloudTrail.',
        same,
      ];
    case 'own':
      return [
        fresh,
        'Check that the adopt phase is synced for every object and that the first reconcile changed nothing.',
        sync,
        adopted,
        'Remove the imported addresses from the Terraform state with the `terraform state rm` commands below (the resources stay in AWS; ACK owns them now).',
        'Run `terraform plan`: it must no longer list these addresses (and must not plan to create them again: remove their configuration too).',
        'Every object keeps `services.k8s.aws/deletion-policy: retain`: deleting the object leaves the AWS resource. Switching an object to `delete` is a human decision, made per object.',
      ];
  }
}

/** The markdown report (table cells escaped; values are ids, names and addresses, never sensitive values). */
export function reportMarkdown(r: ImportReport): string {
  const lines: string[] = [];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = (head: string[], rows: string[][]) => {
    lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
    for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    lines.push('');
  };
  lines.push(`# Terraform import: ${r.state.file}`, '');
  lines.push(
    `Phase: **${r.phase}**${r.namespace === null ? '' : `, namespace \`${r.namespace}\``}.`,
    '',
  );
  if (r.schemaCheck === null)
    lines.push('Schema check: **nothing was schema-checked** (no `--crd-dir` given).', '');
  else {
    lines.push(
      `Schema check: ${r.schemaCheck.checked.length} object(s) valid against the CRDs of ${r.schemaCheck.crdDirs.map((d) => `\`${d}\``).join(', ')}.`,
    );
    if (r.schemaCheck.unchecked.length > 0)
      lines.push(
        `Not schema-checked (no CRD for the kind): ${r.schemaCheck.unchecked.join(', ')}.`,
      );
    lines.push('');
  }
  if (r.rgd !== null) {
    lines.push(
      `ResourceGraphDefinition \`${r.rgd.name}\` (kind \`${r.rgd.kind}\`) groups these objects, with an instance reproducing this estate (schema: ${
        Object.entries(r.rgd.schema)
          .map(([k, v]) => `\`${k}\` = ${v}`)
          .join(', ') || 'none'
      }). Its templates keep this phase's adoption annotations and the names above: they adopt exactly these resources. To stamp another cluster from it, copy it and remove the \`services.k8s.aws/adoption-*\` and \`read-only\` annotations first, or that cluster's instance would adopt these same resources.`,
      '',
    );
  }
  lines.push('## Checklist', '');
  r.checklist.forEach((c, i) => lines.push(`${i + 1}. ${c}`));
  lines.push('');
  if (r.stateRm.length > 0) {
    lines.push('## terraform state rm', '', '```sh', ...r.stateRm, '```', '');
  }
  lines.push(`## Mapped (${r.mapped.length})`, '');
  table(
    [
      'Terraform address',
      'ACK kind',
      'Object',
      'Region',
      'Adoption fields',
      'Adopted as they are',
      'Folded in',
    ],
    r.mapped.map((m) => [
      `\`${m.address}\``,
      m.kind,
      m.name,
      m.region ?? '(global)',
      Object.entries(m.adoptionFields)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
      m.adoptedFields.join(', '),
      m.folded.map((f) => `\`${f}\``).join(', '),
    ]),
  );
  lines.push(`## Partially mapped (${r.partiallyMapped.length})`, '');
  if (r.partiallyMapped.length === 0) lines.push('None.', '');
  else
    table(
      ['Terraform address', 'Attribute', 'Why'],
      r.partiallyMapped.map((p) => [`\`${p.address}\``, p.attribute, p.reason]),
    );
  lines.push(`## Not mapped (${r.notMapped.length})`, '');
  if (r.notMapped.length === 0) lines.push('None.', '');
  else
    table(
      ['Terraform address', 'Type', 'Why'],
      r.notMapped.map((n) => [`\`${n.address}\``, n.type, n.reason]),
    );
  lines.push(`## References resolved (${r.references.resolved.length})`, '');
  if (r.references.resolved.length === 0) lines.push('None.', '');
  else
    table(
      ['Terraform address', 'Field', 'Target', 'Object'],
      r.references.resolved.map((x) => [`\`${x.address}\``, x.field, x.target, x.object]),
    );
  lines.push(`## References left literal (${r.references.literal.length})`, '');
  if (r.references.literal.length === 0) lines.push('None.', '');
  else
    table(
      ['Terraform address', 'Field', 'Target (not in this import)'],
      r.references.literal.map((x) => [`\`${x.address}\``, x.field, x.target]),
    );
  if (r.disambiguatedNames.length > 0) {
    lines.push(
      '## Names disambiguated',
      '',
      'These resources would have had the same object name; each got a suffix derived from its address.',
      '',
    );
    table(
      ['Terraform address', 'Object'],
      r.disambiguatedNames.map((d) => [`\`${d.address}\``, d.name]),
    );
  }
  return lines.join('\n');
}
