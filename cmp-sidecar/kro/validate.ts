import { collectSites } from './expressions/sites';
import { isLegacyResourceGroup, translateResourceGroup } from './legacy-resource-group';
import {
  createSchemaLookup,
  kindSchemaFromRgd,
  loadCrdDirectory,
  type KindSchema,
  type LazyCrdFile,
} from './crd/schema-lookup';
import { isRgd, KRO_GROUP, readRgd, rgdName, type RgdModel } from './rgd-model';
import { dependenciesRule } from './rules/dependencies';
import { expressionsRule } from './rules/expressions';
import { forEachRule } from './rules/for-each';
import { resourceIdsRule } from './rules/resource-ids';
import { resourceShapeRule } from './rules/resource-shape';
import type { RgdRule, RuleOptions } from './rules/rule';
import { schemaIdentityRule } from './rules/schema-identity';
import { schemaReferencesRule } from './rules/schema-references';
import { simpleSchemaRule } from './rules/simple-schema';
import { statusRule } from './rules/status';
import { templateSchemaRule } from './rules/template-schema';
import { isMap, type KroFinding, type KroInputObject } from './types';

/**
 * Checks every ResourceGraphDefinition among `objects` against kro's static rules (kro-eso-ack.md §1.8) and
 * translates legacy ResourceGroups. Pure apart from reading the CRD directories; the caller decides what a
 * finding means (the render fails on any error; warnings go to stderr).
 */
export interface KroValidationOptions {
  /** Directories of CustomResourceDefinitions used to check templates (e.g. EKS_OVERLAY_CRD_DIR). */
  readonly crdDirs?: readonly string[];
  /** RGDs known to the app but not part of this render (declared paths): used for chaining and instances. */
  readonly referenceRgds?: readonly KroInputObject[];
  /** Legacy ResourceGroups: translate (default, with a warning) or reject. */
  readonly legacy?: 'translate' | 'reject';
  readonly celOmitFunction?: boolean;
  readonly maxCollectionDimensions?: number;
}

export interface ValidatedRgd {
  readonly name: string;
  readonly model: RgdModel;
  readonly input: KroInputObject;
}

export interface KroValidationResult {
  /** The objects, legacy ResourceGroups replaced by their translation, in the same order. */
  readonly objects: KroInputObject[];
  readonly findings: KroFinding[];
  /** Every RGD seen (render and reference ones), for instance checks. */
  readonly rgds: readonly ValidatedRgd[];
}

/** In kro's order: structure first, then expressions, graph, status, and finally the target schemas. */
export const RGD_RULES: readonly RgdRule[] = [
  schemaIdentityRule,
  resourceIdsRule,
  resourceShapeRule,
  forEachRule,
  simpleSchemaRule,
  expressionsRule,
  schemaReferencesRule,
  dependenciesRule,
  statusRule,
  templateSchemaRule,
];

export function validateKroObjects(
  objects: readonly KroInputObject[],
  opts: KroValidationOptions = {},
): KroValidationResult {
  const findings: KroFinding[] = [];
  const out: KroInputObject[] = [];
  for (const input of objects) {
    const o = input.object;
    if (isLegacyResourceGroup(o)) {
      const name = rgdName(o);
      if (opts.legacy === 'reject') {
        findings.push(
          finding(
            input,
            name,
            undefined,
            'kind',
            `${String(o['apiVersion'])} ResourceGroup is retired: use ${'kro.run/v1alpha1'} ResourceGraphDefinition`,
          ),
        );
        out.push(input);
        continue;
      }
      const t = translateResourceGroup(o);
      findings.push({
        ...finding(
          input,
          name,
          undefined,
          'kind',
          `legacy ResourceGroup translated to a ResourceGraphDefinition: ${t.changes.join('; ')}. Update the source file.`,
        ),
        severity: 'warning',
      });
      out.push(input.source ? { object: t.rgd, source: input.source } : { object: t.rgd });
      continue;
    }
    const av = o['apiVersion'];
    if (
      o['kind'] === 'ResourceGraphDefinition' &&
      typeof av === 'string' &&
      av.startsWith('kro.run/') &&
      av !== 'kro.run/v1alpha1'
    ) {
      findings.push(
        finding(
          input,
          rgdName(o),
          undefined,
          'apiVersion',
          `kro.run/v1alpha1 is the only served version of ResourceGraphDefinition, got ${av}`,
        ),
      );
    }
    out.push(input);
  }

  const rendered = out.filter((i) => isRgd(i.object));
  const reference = (opts.referenceRgds ?? []).filter((i) => isRgd(i.object));
  const entries: KindSchema[] = [];
  const lazy: LazyCrdFile[] = [];
  const crdDirs = (opts.crdDirs ?? []).map(loadCrdDirectory);
  for (const loaded of crdDirs) {
    entries.push(...loaded.entries);
    lazy.push(...loaded.lazy);
  }
  // A group is closed when CRDs of it were given, unless RGDs can add kinds to it (kro.run, or an RGD's group).
  const crdGroups = new Set([...entries.map((e) => e.group), ...lazy.map((l) => l.group)]);
  crdGroups.delete(KRO_GROUP);
  const instanceCrds = new Map<string, string>();
  for (const input of [...rendered, ...reference]) {
    const name = rgdName(input.object);
    const ks = kindSchemaFromRgd(input.object, name);
    if (!ks) continue;
    const crdName = `${ks.kind.toLowerCase()}/${ks.group}`;
    const owner = instanceCrds.get(crdName);
    if (owner !== undefined && owner !== name && rendered.includes(input)) {
      findings.push(
        finding(
          input,
          name,
          undefined,
          'spec.schema.kind',
          `kind ${ks.group} ${ks.kind} is also defined by ResourceGraphDefinition ${owner}: the generated CRD would be owned by another ResourceGraphDefinition`,
        ),
      );
      continue;
    }
    instanceCrds.set(crdName, name);
    crdGroups.delete(ks.group);
    entries.push(ks);
  }
  const schemas = createSchemaLookup(entries, lazy, crdGroups);
  const options: RuleOptions = {
    celOmitFunction: opts.celOmitFunction ?? false,
    maxCollectionDimensions: opts.maxCollectionDimensions ?? 10,
  };
  const rgds: ValidatedRgd[] = [];
  const seenNames = new Map<string, KroInputObject>();
  // RGDs of kro.rgdPaths are applied to the cluster by someone else, but kro rejects a broken one all the same
  // and the instances built from it then fail at sync: they are held to the same rules (a copy of a rendered
  // RGD is validated once, as the rendered one).
  const renderedNames = new Set(rendered.map((i) => rgdName(i.object)));
  const validated = [
    ...rendered,
    ...reference.filter((i) => !renderedNames.has(rgdName(i.object))),
  ];
  for (const input of validated) {
    const model = readRgd(input.object);
    if (seenNames.has(model.name)) {
      findings.push(
        finding(
          input,
          model.name,
          undefined,
          'metadata.name',
          `ResourceGraphDefinition ${model.name} is defined twice`,
        ),
      );
    }
    seenNames.set(model.name, input);
    const sites = collectSites(model);
    for (const rule of RGD_RULES) {
      for (const issue of rule({ rgd: model, sites, options, schemas })) {
        findings.push({
          severity: issue.severity ?? 'error',
          rgd: model.name,
          ...(issue.resourceId === undefined ? {} : { resourceId: issue.resourceId }),
          path: issue.path,
          message: issue.message,
          ...(input.source ? { source: input.source } : {}),
        });
      }
    }
    rgds.push({ name: model.name, model, input });
  }
  // Problems of CRD files surface once they were parsed (lazily, by the template checks above).
  for (const p of new Set(crdDirs.flatMap((d) => d.problems))) {
    findings.push({ severity: 'warning', rgd: '-', path: '-', message: p });
  }
  for (const input of reference)
    if (!validated.includes(input))
      rgds.push({ name: rgdName(input.object), model: readRgd(input.object), input });
  return { objects: out, findings, rgds };
}

function finding(
  input: KroInputObject,
  rgd: string,
  resourceId: string | undefined,
  path: string,
  message: string,
): KroFinding {
  return {
    severity: 'error',
    rgd,
    ...(resourceId === undefined ? {} : { resourceId }),
    path,
    message,
    ...(input.source ? { source: input.source } : {}),
  };
}

export function hasErrors(findings: readonly KroFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function isKroObject(o: unknown): boolean {
  return isMap(o) && (isRgd(o) || isLegacyResourceGroup(o));
}
