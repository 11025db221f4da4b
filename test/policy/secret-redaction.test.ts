import { recordInlinedSecrets } from '../../cmp-sidecar/secrets/inlined-values';
import {
  POLICY_MESSAGE_WITHHELD,
  withoutSecretValues,
} from '../../cmp-sidecar/policy/secret-redaction';
import { DEPLOYMENT, deploymentPolicy, objectsOf, run } from './helpers';

/** A policy message that quotes a value inline secrets mode wrote never reaches stderr, the error or the report. */
it('withholds a violation message that shows an inlined secret value, and only that one', () => {
  const policy = deploymentPolicy(`validations:
- expression: "false"
  messageExpression: "'token is ' + object.metadata.annotations.token"
- expression: "false"
  message: no secret here`);
  const objects = DEPLOYMENT(1, ', annotations: {token: s3cr3t-value}');
  const report = run({ policies: policy, objects });
  const [rendered] = objectsOf(objects);
  expect(withoutSecretValues(report, [rendered!])).toBe(report); // nothing inlined: unchanged
  recordInlinedSecrets(rendered!, {
    paths: [['metadata', 'annotations', 'token']],
    values: ['s3cr3t-value'],
  });
  expect(withoutSecretValues(report, [rendered!]).violations.map((v) => v.message)).toEqual([
    POLICY_MESSAGE_WITHHELD,
    'no secret here',
  ]);
});
