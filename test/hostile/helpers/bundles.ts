import { bundleSources } from '../../helpers/bundle';

export interface Bundles {
  readonly dir: string;
  /** The generator service, as `npm run build` bundles generator-service/main.ts. */
  readonly generator: string;
  /** The eks-overlay CLI; its inline secrets provider bundle sits beside it, where it is looked for. */
  readonly eksOverlay: string;
  remove(): void;
}

/**
 * Bundles the shipped entry points like build.mjs does, into a temporary directory, so child-process tests run
 * the code of this tree rather than whatever dist/ last held.
 */
export async function buildBundles(): Promise<Bundles> {
  const bundles = await bundleSources(
    ['generator-service', 'eks-overlay', 'secret-provider-aws'],
    'hostile-bundles-',
  );
  return {
    dir: bundles.dir,
    generator: bundles.file('generator-service'),
    eksOverlay: bundles.file('eks-overlay'),
    remove: bundles.remove,
  };
}
