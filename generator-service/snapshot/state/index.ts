export type { StateStore } from './store';
export { createStateSync, type StateSync } from './state-sync';
