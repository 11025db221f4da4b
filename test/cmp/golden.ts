import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Compares text with a golden file exactly; rewrites the file only when UPDATE_GOLDEN=1. */
export function expectMatchesGolden(actual: string, file: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(
      `golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it, then review it`,
    );
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
