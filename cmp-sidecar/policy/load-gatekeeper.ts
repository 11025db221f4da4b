import { describePolicy, failurePolicyOf, namedExpressions, validationsOf } from './fields';
import { isMap, parseGatekeeperMatch } from './parse-match';
import type {
  Action,
  ContextObject,
  LoadedConstraint,
  LoadedTemplate,
  UnsupportedPolicy,
} from './types';

/** The admission webhook's enforcement point: the render stands where the webhook would (policy-cel.md §B.7). */
const ENFORCEMENT_POINT = 'validation.gatekeeper.sh';

/**
 * Gatekeeper ConstraintTemplates with a `K8sNativeValidation` engine and their Constraints, read as Gatekeeper's
 * own driver reads them (policy-cel.md §B.1–B.7): the CEL engine wins over Rego; a template with Rego only cannot
 * be evaluated here, which is an issue naming the template and the remedy unless `unsupported` is `warn`.
 */
export function loadGatekeeper(
  templateDocs: readonly ContextObject[],
  constraintDocs: readonly ContextObject[],
  unsupported: UnsupportedPolicy,
  issues: string[],
): { constraints: LoadedConstraint[]; skipped: string[] } {
  const templates = new Map<string, LoadedTemplate>();
  const regoOnly = new Set<string>();
  const skipped: string[] = [];
  for (const doc of templateDocs) {
    const at = describePolicy(doc);
    const md = isMap(doc.object['metadata']) ? doc.object['metadata'] : {};
    const spec = isMap(doc.object['spec']) ? doc.object['spec'] : {};
    const names =
      isMap(spec['crd']) && isMap(spec['crd']['spec']) ? spec['crd']['spec']['names'] : {};
    const kind = isMap(names) ? names['kind'] : undefined;
    const name = md['name'];
    if (typeof kind !== 'string' || kind === '' || typeof name !== 'string') {
      issues.push(`${at}: needs metadata.name and spec.crd.spec.names.kind`);
      continue;
    }
    const targets = Array.isArray(spec['targets']) ? spec['targets'] : [];
    if (targets.length !== 1 || !isMap(targets[0])) {
      issues.push(`${at}: spec.targets: must hold exactly one target`);
      continue;
    }
    const target = targets[0];
    const code: unknown[] = Array.isArray(target['code']) ? (target['code'] as unknown[]) : [];
    const cel = code.find((c) => isMap(c) && c['engine'] === 'K8sNativeValidation');
    if (!isMap(cel)) {
      const message =
        `${at}: has no K8sNativeValidation (CEL) engine, only Rego, which eks-overlay cannot evaluate; ` +
        'add a CEL engine to the template, remove it from the policy paths, or set `policies.unsupported: warn` ' +
        'in eks-overlay.yaml (`--unsupported warn` for `policy test`) to skip it with a warning';
      if (unsupported === 'warn') {
        skipped.push(`${at}: Rego only, not evaluated (policies.unsupported: warn)`);
        regoOnly.add(kind.toLowerCase());
      } else issues.push(message);
      continue;
    }
    const source = isMap(cel['source']) ? cel['source'] : {};
    const here = `${at}: spec.targets[0].code[${code.indexOf(cel)}].source`;
    templates.set(kind.toLowerCase(), {
      name,
      kind,
      source: doc.source,
      failurePolicy: failurePolicyOf(source['failurePolicy'], `${here}.failurePolicy`, issues),
      // The JSON key is singular in Gatekeeper's schema; `matchConditions` would be ignored by Gatekeeper.
      matchConditions: namedExpressions(
        source['matchCondition'],
        { params: false, variables: true },
        `${here}.matchCondition`,
        issues,
      ),
      variables: namedExpressions(
        source['variables'],
        { params: true, variables: true },
        `${here}.variables`,
        issues,
      ),
      validations: validationsOf(
        source['validations'],
        { params: false, variables: true },
        `${here}.validations`,
        issues,
        false,
      ),
    });
  }

  const constraints: LoadedConstraint[] = [];
  for (const doc of constraintDocs) {
    const at = describePolicy(doc);
    const kind = String(doc.object['kind']);
    const template = templates.get(kind.toLowerCase());
    if (template === undefined) {
      if (!regoOnly.has(kind.toLowerCase()))
        issues.push(`${at}: no ConstraintTemplate for kind ${kind} among the policies`);
      continue;
    }
    const md = isMap(doc.object['metadata']) ? doc.object['metadata'] : {};
    const spec = isMap(doc.object['spec']) ? doc.object['spec'] : {};
    const name = typeof md['name'] === 'string' ? md['name'] : '';
    const actions = enforcementActions(spec, `${at}: spec`, issues);
    constraints.push({
      kind,
      name,
      source: doc.source,
      template,
      object: doc.object,
      match: parseGatekeeperMatch(spec['match'], `${at}: spec.match`, issues),
      parameters: spec['parameters'] ?? null,
      actions,
    });
  }
  return { constraints, skipped };
}

function toAction(a: unknown): Action | undefined {
  if (a === 'deny') return 'Deny';
  if (a === 'warn') return 'Warn';
  if (a === 'dryrun') return 'Audit';
  return undefined;
}

function enforcementActions(spec: Record<string, unknown>, at: string, issues: string[]): Action[] {
  const raw = spec['enforcementAction'] ?? 'deny';
  if (raw === 'scoped') {
    const scoped = Array.isArray(spec['scopedEnforcementActions'])
      ? spec['scopedEnforcementActions']
      : [];
    const out = new Set<Action>();
    for (const entry of scoped) {
      if (!isMap(entry)) continue;
      const points = Array.isArray(entry['enforcementPoints']) ? entry['enforcementPoints'] : [];
      const named = points.some(
        (p) => isMap(p) && (p['name'] === ENFORCEMENT_POINT || p['name'] === '*'),
      );
      const action = toAction(entry['action']);
      if (action === undefined)
        issues.push(
          `${at}.scopedEnforcementActions: unknown action ${JSON.stringify(entry['action'])}`,
        );
      else if (named) out.add(action);
    }
    return [...out];
  }
  const action = toAction(raw);
  if (action === undefined) {
    issues.push(
      `${at}.enforcementAction: ${JSON.stringify(raw)} is not deny, warn, dryrun or scoped (Gatekeeper reports such a constraint as invalid)`,
    );
    return [];
  }
  return [action];
}
