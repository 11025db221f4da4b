import { runInProcess, tempDir } from '../test/cmp/helpers';

/**
 * The command line's error messages, word for word: they are what a person or CI log sees, so the move from a
 * hand-written loop to node:util parseArgs must not change one of them.
 */
describe('command line errors', () => {
  const app = tempDir('eks-overlay-options-');
  afterAll(app.cleanup);

  test.each([
    [['render', '.', '--context'], '--context needs a value'],
    [['render', '.', '--cluster'], '--cluster needs a value'],
    [['render', '.', '--root'], '--root needs a value'],
    [['render', '.', '--cluster', 'novalue'], '--cluster expects key=value, got "novalue"'],
    [['render', '.', '--cluster=', 'x'], '--cluster expects key=value, got ""'],
    [['render', '.', '--cluster', '=v'], '--cluster expects key=value, got "=v"'],
    [['render', '.', '--bogus'], 'unknown option --bogus for render'],
    [['render', '.', '--bogus=1'], 'unknown option --bogus=1 for render'],
    [['render', '.', '-abc'], 'unknown option -abc for render'],
    [['render', '.', '-'], 'unknown option - for render'],
    [['render', '.', '--', 'x'], 'unknown option -- for render'],
    [['render', 'a', 'b'], 'render takes one directory, got also "b"'],
    [['validate', '.', '--bogus'], 'unknown option --bogus for validate'],
    [
      ['generate', '--context', 'x.json'],
      "generate reads its context from Argo CD's environment; --context/--root are for render and validate",
    ],
    [
      ['parameters', '--root=.'],
      "parameters reads its context from Argo CD's environment; --context/--root are for render and validate",
    ],
    [['render', '.', '--context', 'a', '--context=b'], 'render takes at most one --context'],
    [['paths', '--root'], '--root needs a value'],
    [['paths', '--context', 'x'], 'unknown option --context for paths'],
    [['paths', '--cluster=a=b'], 'unknown option --cluster=a=b for paths'],
    [['paths', 'a', 'b'], 'paths takes one directory, got also "b"'],
  ])('%j: %s', async (argv, message) => {
    const res = await runInProcess(argv, { cwd: app.dir });
    expect(res).toEqual({
      code: 2,
      stdout: '',
      stderr: `eks-overlay: error: ${message}\nrun "eks-overlay --help" for usage\n`,
    });
  });

  test('a value that starts with a dash is still a value', async () => {
    const res = await runInProcess(['render', '.', '--root', '-odd'], { cwd: app.dir });
    expect(res.stderr).toMatch(/--root .*-odd does not exist/);
  });
});
