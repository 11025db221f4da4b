/**
 * `import terraform --rgd <name>`: the imported estate as a kro ResourceGraphDefinition plus the instance that
 * reproduces it. The RGD passes the project's kro checks (with the ACK CRDs of ../shared/crds) and kro's CRD; the
 * instance passes the RGD's schema; resolving the instance's values into the templates gives the flat import.
 */
import { parseAllDocuments } from 'yaml';
import { createAjv } from '../../cmp-sidecar/kro/crd/ajv-errors';
import { toValidationSchema } from '../../cmp-sidecar/kro/crd/openapi-to-json-schema';
import { kindSchemaFromRgd } from '../../cmp-sidecar/kro/crd/schema-lookup';
import { validateKroObjects } from '../../cmp-sidecar/kro/validate';
import { validateObject } from '../manifests/schemas';
import { devClusterState, SECRETS } from './dev-cluster';
import { CRDS, importState } from './helpers';
import { rawState, type ResourceSpec } from './states';

type Json = Record<string, unknown>;
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Json);

/** `${schema.spec.x}` replaced by the instance's value, as kro would for this instance. */
function resolve(v: unknown, spec: Json): unknown {
  if (typeof v === 'string') {
    const m = /^\$\{schema\.spec\.(\w+)\}$/.exec(v);
    return m ? spec[m[1]!] : v;
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, spec));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, spec)]));
  return v;
}

describe('--rgd', () => {
  const state = rawState(devClusterState());

  it('emits an RGD and an instance that pass kro validation, and reproduce the flat import', async () => {
    const r = await importState(state, [
      '--rgd',
      'dev-estate',
      '--crd-dir',
      CRDS,
      '--namespace',
      'dev-infra',
    ]);
    expect(r.code).toBe(0);
    const [rgd, instance, ...rest] = docs(r.stdout);
    expect(rest).toEqual([]);
    expect(rgd).toMatchObject({
      apiVersion: 'kro.run/v1alpha1',
      kind: 'ResourceGraphDefinition',
      metadata: { name: 'dev-estate' },
    });
    expect(validateObject(rgd as never)).toEqual({ ok: true, via: 'crd' });

    const { findings } = validateKroObjects([{ object: rgd! }, { object: instance! }], {
      crdDirs: [CRDS],
    });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Every template was schema-checked against an ACK CRD (no "not schema-checked" warning).
    expect(findings.filter((f) => /not schema-checked/.test(f.message))).toEqual([]);

    expect(instance).toMatchObject({
      apiVersion: 'kro.run/v1alpha1',
      kind: 'DevEstate',
      metadata: { name: 'dev-estate', namespace: 'dev-infra' },
      spec: { region: 'eu-west-1', clusterName: 'dev', vpcCIDR: '10.20.0.0/16' },
    });
    const instanceSchema = kindSchemaFromRgd(rgd!, 'dev-estate')!;
    const validate = createAjv(false).compile(
      toValidationSchema(instanceSchema.schema, { rejectUnknownFields: true }),
    );
    expect([validate(instance), validate.errors]).toEqual([true, null]);

    const flat = await importState(state, ['--namespace', 'dev-infra']);
    const resources = ((rgd!['spec'] as Json)['resources'] as { id: string; template: Json }[]).map(
      (x) => x.template,
    );
    const reproduced = resources.map((t) => {
      const o = resolve(t, instance!['spec'] as Json) as Json;
      return { ...o, metadata: { ...(o['metadata'] as Json), namespace: 'dev-infra' } };
    });
    const flatObjects = docs(flat.stdout).map((o) => ({
      ...o,
      metadata: { ...(o['metadata'] as Json) },
    }));
    // Key order aside (the YAML emitter sorts keys), the objects are the same.
    expect(reproduced).toEqual(flatObjects);
    expect(r.stderr).toContain('ResourceGraphDefinition `dev-estate` (kind `DevEstate`)');
    for (const s of SECRETS) expect(r.stdout + r.stderr).not.toContain(s);
  });

  it('refuses a value kro would read as an expression (an IAM policy variable), naming the address', async () => {
    const policy: ResourceSpec = {
      type: 'aws_iam_policy',
      name: 'self',
      instances: [
        {
          attributes: {
            name: 'self',
            arn: 'arn:aws:iam::111122223333:policy/self',
            policy: JSON.stringify({
              Statement: [
                { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
              ],
            }),
          },
        },
      ],
    };
    const r = await importState(rawState([policy]), ['--rgd', 'x', '--out', 'out']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('aws_iam_policy.self: spec.policyDocument');
    expect(r.leftovers).toEqual(['s.json']);
    // The flat import is fine with it.
    expect((await importState(rawState([policy]))).code).toBe(0);
  });
});
