/**
 * dist/eks-overlay.cjs (built by build-launcher.cjs): turns on the compile cache, then runs the CLI bundle beside
 * it, dist/eks-overlay-cli.cjs. Only modules loaded after enableCodeCache use the cache, hence two files.
 */
import * as path from 'node:path';
import { enableCodeCache } from './compile-cache';

enableCodeCache();
// A computed path, so esbuild leaves the CLI bundle to be loaded (and cached) at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.join(__dirname, 'eks-overlay-cli.cjs'));
