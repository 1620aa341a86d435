/**
 * Shared memory identity: every SharedArrayBuffer this thread has seen, with its identity in the run (the
 * same in every thread: a buffer that arrives in a message or as workerData brings its identity along).
 */
import { newIdentity } from '../../core/handles.js';

const bufferIds = new WeakMap<SharedArrayBuffer, [hi: number, lo: number]>();

export function bufferId(buffer: SharedArrayBuffer): [number, number] {
  let id = bufferIds.get(buffer);
  if (!id) {
    id = newIdentity();
    bufferIds.set(buffer, id);
  }
  return id;
}

/** A buffer that came from another thread keeps the identity it had there (unless this thread knew it). */
export function adoptBufferId(buffer: SharedArrayBuffer, hi: number, lo: number): void {
  if (!bufferIds.has(buffer)) bufferIds.set(buffer, [hi, lo]);
}
