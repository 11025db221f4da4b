import type { FleetMemory } from '../memory';
import {
  EMPTY_STATE,
  mergeState,
  memoryOf,
  parseState,
  serializeState,
  stateOf,
  type StoredState,
} from './state-format';
import { StateConflictError, type StateStore } from './store';

/** Conflicts in a row before a save gives up until the next refresh (two replicas rarely write at once). */
const MAX_ATTEMPTS = 4;

/**
 * Keeps the fleet memory in a StateStore: read once before the first answer, written after refreshes that changed
 * it. A write that meets another replica's write (conflict) re-reads, merges per cluster and tries again.
 */
export interface StateSync {
  readonly description: string;
  /** The stored memory; `known` lends last good clusters this process already has. */
  load(known?: FleetMemory): Promise<FleetMemory>;
  /**
   * Stores `memory` when it differs from what the store holds. Resolves with the merged memory to adopt when
   * another replica had written meanwhile, else undefined. Rejects (StateStoreError) when the store fails.
   */
  save(memory: FleetMemory): Promise<FleetMemory | undefined>;
}

export function createStateSync(store: StateStore): StateSync {
  let base: StoredState = EMPTY_STATE;
  let baseText = serializeState(EMPTY_STATE);
  let version: string | undefined;

  async function read(): Promise<StoredState> {
    const doc = await store.read();
    const state = parseState(doc.text, store.description);
    base = state;
    baseText = doc.text ?? serializeState(EMPTY_STATE);
    version = doc.version;
    return state;
  }

  return {
    description: store.description,
    async load(known) {
      return memoryOf(await read(), known);
    },
    async save(memory) {
      if (version === undefined) throw new Error('StateSync.save called before load');
      // Our changes are what differs from `origin`, the state we last agreed with the store on.
      const origin = base;
      const ours = stateOf(memory);
      let next = ours;
      let merged = false;
      for (let attempt = 1; ; attempt++) {
        const text = serializeState(next);
        if (text !== baseText) {
          try {
            version = await store.write(text, version);
            base = next;
            baseText = text;
          } catch (e) {
            if (!(e instanceof StateConflictError) || attempt >= MAX_ATTEMPTS) throw e;
            next = mergeState(origin, ours, await read());
            merged = true;
            continue;
          }
        }
        return merged ? memoryOf(next, memory) : undefined;
      }
    },
  };
}
