import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../../core/errors';

/**
 * Writes `files` as the directory `out`, all or nothing: into a temporary directory beside it, renamed into place
 * once every file is written. An existing non-empty `out` is refused (it may hold someone's edits); an empty one
 * is replaced. On any failure the temporary directory is removed and `out` is untouched.
 */
export async function writeDirectoryAtomically(
  out: string,
  files: ReadonlyMap<string, string>,
  extra?: { readonly file: string; readonly text: string },
): Promise<void> {
  let existing: string[] | undefined;
  try {
    existing = await readdir(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new InputError(`--out ${out} is a file`);
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(`--out ${out} cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  if (existing !== undefined && existing.length > 0)
    throw new InputError(
      `--out ${out} exists and is not empty: remove it or choose another directory`,
    );
  const parent = path.dirname(out);
  const tmp = path.join(parent, `.${path.basename(out)}.import-${process.pid}-${Date.now()}`);
  const extraTmp = extra ? `${extra.file}.import-${process.pid}-${Date.now()}` : undefined;
  try {
    await mkdir(tmp, { recursive: false });
    for (const [name, text] of files) await writeFile(path.join(tmp, name), text, { flag: 'wx' });
    if (extra && extraTmp) await writeFile(extraTmp, extra.text, { flag: 'wx' });
    if (existing !== undefined) await rmdir(out);
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (extraTmp) await rm(extraTmp, { force: true });
    if ((e as NodeJS.ErrnoException).code !== undefined)
      throw new InputError(`cannot write --out ${out}: ${(e as NodeJS.ErrnoException).code}`, {
        cause: e,
      });
    throw e;
  }
  if (extra && extraTmp) await rename(extraTmp, extra.file);
}

/** Writes one file all or nothing (a temporary file beside it, then renamed). */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.import-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new InputError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: e,
    });
  }
}
