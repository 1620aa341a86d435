/** Event: a flag shared across threads that threads can wait for (Python's `threading.Event`). */
import { EventKind, ObjectType, timedFlag } from '../tracer/schema.js';
import { emit, tracing } from '../tracer/probe.js';
import { EventLayout, Tag } from './layout.js';
import { openWords } from './open.js';
import {
  describe,
  exposeDescriptor,
  HANDLE_KEY,
  registerReviver,
  type SharedDescriptor,
} from '../core/handles.js';
import { deadlineAfter, sleepAsync, sleepSync, type AsyncWaitOptions } from './waiting.js';

const { FLAG } = EventLayout;

export class Event {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #words: Int32Array;
  readonly #id: number;

  constructor(shared?: SharedDescriptor) {
    ({ words: this.#words, id: this.#id } = openWords(shared, Tag.Event, EventLayout.WORDS, 'Event', ObjectType.Event));
    exposeDescriptor(this, describe('Event', this.#words));
  }

  get objectId(): number {
    return this.#id;
  }

  isSet(): boolean {
    return Atomics.load(this.#words, FLAG) === 1;
  }

  /** Sets the flag and wakes every waiting thread. */
  set(): void {
    if (tracing) emit(EventKind.EventSet, this.#id);
    Atomics.store(this.#words, FLAG, 1);
    Atomics.notify(this.#words, FLAG);
  }

  clear(): void {
    if (tracing) emit(EventKind.EventClear, this.#id);
    Atomics.store(this.#words, FLAG, 0);
  }

  /** Blocks until the flag is set or `timeout` ms pass; returns the flag. */
  wait(timeout?: number): boolean {
    const deadline = deadlineAfter(timeout, 'Event.wait');
    if (tracing) emit(EventKind.EventWaitBegin, this.#id, 0, timedFlag(deadline));
    while (Atomics.load(this.#words, FLAG) === 0 && sleepSync(this.#words, FLAG, 0, deadline));
    return this.#finish();
  }

  async waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineAfter(options?.timeout, 'Event.waitAsync');
    if (tracing) emit(EventKind.EventWaitBegin, this.#id, 0, timedFlag(deadline));
    while (
      Atomics.load(this.#words, FLAG) === 0 &&
      (await sleepAsync(this.#words, FLAG, 0, deadline, options?.signal))
    );
    return this.#finish();
  }

  #finish(): boolean {
    const isSet = this.isSet();
    if (tracing) emit(EventKind.EventWaitEnd, this.#id, isSet ? 1 : 0);
    return isSet;
  }
}

registerReviver('Event', (d) => new Event(d));
