import { isValidLabelKey, isValidLabelValue } from './labels';

describe('Kubernetes label syntax', () => {
  test.each([
    ['env', true],
    ['app.kubernetes.io/name', true],
    ['argocd-eks-plugins/upgrade-weight', true],
    ['aws:cloudformation:stack-name', false],
    ['Team Name', false],
    ['/name', false],
    ['a'.repeat(64), false],
    ['Example.com/x', false],
  ])('key %p valid: %p', (key, ok) => expect(isValidLabelKey(key)).toBe(ok));

  test.each([
    ['', true],
    ['prod', true],
    ['eu-west-1', true],
    ['payments & billing', false],
    ['-leading', false],
    ['a'.repeat(64), false],
  ])('value %p valid: %p', (value, ok) => expect(isValidLabelValue(value)).toBe(ok));
});
