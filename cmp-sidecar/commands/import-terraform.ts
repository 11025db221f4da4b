import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../../core/errors';
import type { ExitCode } from '../exit';
import { EXIT } from '../exit';
import { importResources } from '../import-terraform/import';
import { parseImportTerraform } from '../import-terraform/options';
import { writeDirectoryAtomically, writeFileAtomically } from '../import-terraform/output';
import { buildReport, reportMarkdown } from '../import-terraform/report';
import { checkAgainstCrds } from '../import-terraform/schema-check';
import { readTerraformState } from '../import-terraform/state-reader';
import type * as RgdModule from '../import-terraform/rgd';
import type { JsonObject } from '../import-terraform/types';
import type { Io } from '../io';
import { serializeObjects } from '../render/serialize';

/**
 * `import terraform <state> ...`: a Terraform state's AWS resources as ACK objects adopted in phases (observe,
 * adopt, own). Everything is computed in memory first; files are written only when all of it succeeded (a
 * temporary directory beside --out, then renamed), so an error leaves no partial output. Without --out the YAML
 * stream goes to stdout and the markdown report to stderr.
 */
export async function importTerraform(args: readonly string[], io: Io): Promise<ExitCode> {
  const opts = parseImportTerraform(args);
  const stateFile = path.resolve(io.cwd, opts.state);
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (e) {
    throw new InputError(
      `cannot read the state ${opts.state}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const resources = readTerraformState(text, opts.state);
  const result = importResources(resources, opts);
  let objects: readonly JsonObject[] = result.objects;
  let rgdSummary: Parameters<typeof buildReport>[5] = null;
  if (opts.rgd !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildRgd, checkRgd } = require('../import-terraform/rgd') as typeof RgdModule;
    objects = buildRgd(result, opts.rgd, opts.namespace);
    checkRgd(
      objects,
      opts.crdDirs.map((d) => path.resolve(io.cwd, d)),
    );
    const instance = objects[1]!;
    rgdSummary = {
      name: opts.rgd,
      kind: String(instance['kind']),
      schema: Object.fromEntries(
        Object.entries(instance['spec'] as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      ),
    };
  }
  const crdDirs = opts.crdDirs.map((d) => path.resolve(io.cwd, d));
  const schema =
    crdDirs.length === 0
      ? undefined
      : { ...checkAgainstCrds(result.objects, crdDirs), crdDirs: opts.crdDirs };
  const report = buildReport(result, opts.state, opts.phase, opts.namespace, schema, rgdSummary);
  const markdown = reportMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;

  if (opts.out === undefined) {
    if (opts.report !== undefined)
      await writeFileAtomically(path.resolve(io.cwd, opts.report), json);
    io.stdout.write(serializeObjects(objects));
    io.stderr.write(markdown);
    return EXIT.ok;
  }
  const files = new Map<string, string>();
  for (const o of objects) {
    const meta = o['metadata'] as { name: string };
    files.set(`${String(o['kind']).toLowerCase()}-${meta.name}.yaml`, serializeObjects([o]));
  }
  files.set('IMPORT-REPORT.md', markdown);
  await writeDirectoryAtomically(
    path.resolve(io.cwd, opts.out),
    files,
    opts.report === undefined ? undefined : { file: path.resolve(io.cwd, opts.report), text: json },
  );
  io.stderr.write(
    `eks-overlay: imported ${result.mapped.length} object(s) into ${opts.out} (report: ${path.join(opts.out, 'IMPORT-REPORT.md')})\n`,
  );
  return EXIT.ok;
}
