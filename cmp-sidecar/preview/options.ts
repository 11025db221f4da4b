import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { InputError } from '../../core/errors';

/** `eks-overlay preview`'s command line, parsed and checked (every problem is a usage error, exit 2). */
export interface PreviewOptions {
  readonly base: string;
  readonly head: string | undefined;
  readonly repo: string;
  readonly repoUrl: string | undefined;
  readonly fleet: string | undefined;
  readonly generatorUrl: string | undefined;
  readonly generatorTokenFile: string | undefined;
  readonly appsets: readonly string[];
  readonly policies: readonly string[];
  readonly format: 'markdown' | 'json';
  readonly output: string | undefined;
  readonly jobs: number;
  readonly kubeApiVersions: string | undefined;
}

export function parsePreviewOptions(args: readonly string[]): PreviewOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        repo: { type: 'string' },
        'repo-url': { type: 'string' },
        fleet: { type: 'string' },
        'generator-url': { type: 'string' },
        'generator-token-file': { type: 'string' },
        appsets: { type: 'string', multiple: true },
        policies: { type: 'string', multiple: true },
        format: { type: 'string' },
        output: { type: 'string' },
        jobs: { type: 'string' },
        'kube-api-versions': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new InputError(`preview: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  if (values.base === undefined) problems.push('--base <git-ref> is required');
  const fromFile = values.fleet !== undefined;
  const fromUrl =
    values['generator-url'] !== undefined || values['generator-token-file'] !== undefined;
  if (fromFile === fromUrl) {
    problems.push(
      'give the fleet as --fleet <file> or as --generator-url <url> --generator-token-file <file> (one of them)',
    );
  } else if (
    fromUrl &&
    (values['generator-url'] === undefined || values['generator-token-file'] === undefined)
  ) {
    problems.push('--generator-url and --generator-token-file go together');
  }
  const format = values.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'json')
    problems.push(`--format ${format}: markdown or json`);
  let jobs = availableParallelism();
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) {
      problems.push(`--jobs ${values.jobs}: a whole number from 1 to 256`);
    }
  }
  if (problems.length > 0) throw new InputError(`preview: ${problems.join('; ')}`);
  return {
    base: values.base ?? '',
    head: values.head,
    repo: values.repo ?? '.',
    repoUrl: values['repo-url'],
    fleet: values.fleet,
    generatorUrl: values['generator-url'],
    generatorTokenFile: values['generator-token-file'],
    appsets: values.appsets ?? [],
    policies: values.policies ?? [],
    format: format as 'markdown' | 'json',
    output: values.output,
    jobs,
    kubeApiVersions: values['kube-api-versions'],
  };
}
