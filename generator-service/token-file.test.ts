import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createJsonLogger, silentLogger } from '../core/logger';
import { tokenFromFile } from './token-file';

describe('tokenFromFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reads and trims the token; picks up a rotation; keeps the old token when the file breaks', () => {
    const file = path.join(dir, 'token');
    writeFileSync(file, 'first-token\n');
    const logs: string[] = [];
    const tokens = tokenFromFile(file, {
      log: createJsonLogger({ write: (l: string) => logs.push(l) }),
      checkIntervalMs: 0,
    });
    expect(tokens.current()).toBe('first-token');

    writeFileSync(path.join(dir, 'next'), '  second-token-longer \n');
    renameSync(path.join(dir, 'next'), file);
    expect(tokens.current()).toBe('second-token-longer');

    rmSync(file);
    expect(tokens.current()).toBe('second-token-longer');
    writeFileSync(file, '\n');
    expect(tokens.current()).toBe('second-token-longer');
    expect(logs.join('')).toContain('keeping the previous token');
    for (const t of ['first-token', 'second-token-longer']) expect(logs.join('')).not.toContain(t);
  });

  test('the file is checked at most once per interval', () => {
    const file = path.join(dir, 'token');
    writeFileSync(file, 'a-token');
    let clock = 0;
    const tokens = tokenFromFile(file, {
      log: silentLogger,
      checkIntervalMs: 1000,
      now: () => clock,
    });
    writeFileSync(file, 'b-token-rotated');
    clock = 500;
    expect(tokens.current()).toBe('a-token');
    clock = 1500;
    expect(tokens.current()).toBe('b-token-rotated');
  });

  test.each([
    ['a missing file', undefined, 'ENOENT'],
    ['an empty file', '  \n', 'the file is empty'],
  ])('%s at startup throws, naming the variable and file', (_case, content, message) => {
    const file = path.join(dir, 'token');
    if (content !== undefined) writeFileSync(file, content);
    expect(() => tokenFromFile(file, { log: silentLogger })).toThrow(
      `GENERATOR_TOKEN_FILE ${file}:`,
    );
    expect(() => tokenFromFile(file, { log: silentLogger })).toThrow(message);
  });
});
