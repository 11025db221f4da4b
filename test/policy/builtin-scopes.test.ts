import { BUILTIN_KINDS } from '../../cmp-sidecar/kro/crd/builtin-kinds.generated';
import { builtinScopes } from '../../cmp-sidecar/policy/builtin-scopes';

/** The policy evaluator's small table of built-in kinds says what the full generated table says. */
it('has the scope of every built-in kind of kro/crd/builtin-kinds.generated.ts, and nothing else', () => {
  const expected = new Map<string, string>();
  for (const [key, [, scope]] of Object.entries(BUILTIN_KINDS)) {
    const [apiVersion = '', kind = ''] = key.split(' ');
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    expected.set(`${group}/${kind}`, scope);
  }
  expect(new Map(builtinScopes())).toEqual(expected);
});
