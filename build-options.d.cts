import type { BuildOptions } from 'esbuild';

/** The esbuild options every shipped bundle is built with (build-options.cjs). */
export declare const common: Readonly<BuildOptions>;
