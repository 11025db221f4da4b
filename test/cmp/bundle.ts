import type { Metafile } from 'esbuild';
import { bundleSources } from '../helpers/bundle';

/**
 * Bundles cmp-sidecar/main.ts as build.mjs does, into a private directory, so tests run the real bundled CLI
 * without racing other engineers' builds of dist/.
 */
export async function buildCliBundle(): Promise<{
  file: string;
  inputs: string[];
  /** Inputs reachable from the entry without crossing a dynamic import() (what a default run may evaluate). */
  eagerInputs: string[];
  cleanup: () => void;
}> {
  const bundle = await bundleSources(['eks-overlay'], 'eks-overlay-bundle-');
  return {
    file: bundle.file('eks-overlay'),
    inputs: Object.keys(bundle.metafile.inputs),
    eagerInputs: eagerlyReachable(bundle.metafile, 'cmp-sidecar/main.ts'),
    cleanup: bundle.remove,
  };
}

function eagerlyReachable(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const next = queue.pop()!;
    for (const imp of meta.inputs[next]?.imports ?? []) {
      if (imp.kind === 'dynamic-import' || imp.external === true || seen.has(imp.path)) continue;
      seen.add(imp.path);
      queue.push(imp.path);
    }
  }
  return [...seen];
}
