import { StateConflictError, type StateStore, type StoredDocument } from './store';

/**
 * A StateStore in process memory, for tests and local runs. Two registries given the same instance behave like
 * two replicas sharing one ConfigMap, conflicts included.
 */
export interface MemoryStateStore extends StateStore {
  /** The document as stored (undefined before the first write). */
  text(): string | undefined;
  /** Makes the next `count` calls of `op` fail with `error`. */
  failNext(op: 'read' | 'write', error: Error, count?: number): void;
  /** Runs `hook` before the next write is applied: lets a test write in between as another replica would. */
  beforeNextWrite(hook: () => void): void;
  /** Writes directly, as another replica would (bumps the version). */
  put(text: string): void;
}

export function memoryStateStore(description = 'in-memory state store'): MemoryStateStore {
  let doc: StoredDocument = { text: undefined, version: '1' };
  const failures: { op: 'read' | 'write'; error: Error; count: number }[] = [];
  let hook: (() => void) | undefined;
  const failure = (op: 'read' | 'write'): Error | undefined => {
    const f = failures.find((x) => x.op === op && x.count > 0);
    if (f === undefined) return undefined;
    f.count -= 1;
    return f.error;
  };
  const put = (text: string) => {
    doc = { text, version: String(Number(doc.version) + 1) };
  };
  return {
    description,
    read() {
      const e = failure('read');
      return e ? Promise.reject(e) : Promise.resolve(doc);
    },
    write(text, version) {
      const e = failure('write');
      if (e) return Promise.reject(e);
      const h = hook;
      hook = undefined;
      h?.();
      if (version !== doc.version) {
        return Promise.reject(
          new StateConflictError(`${description}: version ${version} is not current`),
        );
      }
      put(text);
      return Promise.resolve(doc.version);
    },
    text: () => doc.text,
    failNext(op, error, count = 1) {
      failures.push({ op, error, count });
    },
    beforeNextWrite(h) {
      hook = h;
    },
    put,
  };
}
