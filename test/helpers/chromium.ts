/**
 * Headless Chromium for browser tests: Debian's `chromium` (CHROMIUM_PATH overrides), driven by puppeteer-core,
 * which downloads no browser. puppeteer-core and several of its dependencies are ESM-only, which jest's CommonJS
 * runtime cannot load without --experimental-vm-modules, so they are bundled once into one CommonJS file with
 * esbuild (as the shipped bundles are built) and required from there; the API is puppeteer-core's own.
 * Suites using this are listed under `chromium` in test/environment/requirements.cjs.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, PuppeteerNode } from 'puppeteer-core';

const REPO_ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

async function puppeteerCore(): Promise<PuppeteerNode> {
  const version = (
    JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'node_modules/puppeteer-core/package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  // Under a node_modules directory, so jest does not transform the bundle again.
  const dir = path.join(
    os.tmpdir(),
    'argocd-eks-plugins-test',
    'node_modules',
    `puppeteer-core-cjs-${version}`,
  );
  const file = path.join(dir, 'index.cjs');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const entry = path.join(dir, 'entry.mjs');
    writeFileSync(entry, "export { default } from 'puppeteer-core';\n");
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: `${file}.tmp`,
      nodePaths: [path.join(REPO_ROOT, 'node_modules')],
      logLevel: 'silent',
    });
    // Renamed into place, so a concurrent run never requires a half-written file.
    const { renameSync } = await import('node:fs');
    renameSync(`${file}.tmp`, file);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { default: PuppeteerNode }).default;
}

/** Launches headless Chromium; --no-sandbox only when running as root (where its sandbox cannot start). */
export async function launchChromium(): Promise<Browser> {
  const puppeteer = await puppeteerCore();
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
