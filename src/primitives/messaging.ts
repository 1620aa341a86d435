/**
 * Makes primitives arrive as working handles wherever Node hands a thread a structured clone: `workerData`,
 * `message` events of a Worker, and of MessagePorts (`parentPort`, MessageChannel ports). Installed once
 * when the primitives are first imported in a thread.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { isMainThread, MessagePort, Worker } from 'node:worker_threads';
import { revive, toCloneable } from '../core/handles.js';
import { MESSAGING_GLOBAL_KEY } from '../core/run-protocol.js';

const installed = Symbol.for(MESSAGING_GLOBAL_KEY);

type Listener = (this: unknown, ...args: unknown[]) => unknown;

export function installMessaging(): void {
  const global = globalThis as Record<symbol, unknown>;
  if (global[installed]) return;
  global[installed] = true;

  // Objects that cannot be cloned but stand for a descriptor (tracked arrays) are swapped for it on the way out.
  for (const target of [Worker.prototype, MessagePort.prototype] as { postMessage(value: unknown, ...rest: unknown[]): void }[]) {
    const postMessage = target.postMessage;
    target.postMessage = function (this: unknown, value: unknown, ...rest: unknown[]) {
      return postMessage.call(this, toCloneable(value), ...rest);
    };
  }

  const workerEmit = Worker.prototype.emit;
  Worker.prototype.emit = function emit(this: Worker, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && args.length > 0) args[0] = revive(args[0]);
    return workerEmit.call(this, event, ...args);
  };

  const wrapped = new WeakMap<Listener, Listener>();
  const wrappers = new WeakSet<Listener>();
  const wrap = (listener: Listener): Listener => {
    let wrapper = wrapped.get(listener);
    if (!wrapper) {
      wrapper = function message(this: unknown, data: unknown, ...rest: unknown[]) {
        return listener.call(this, revive(data), ...rest);
      };
      wrapped.set(listener, wrapper);
      wrappers.add(wrapper);
    }
    return wrapper;
  };
  const portTarget = Object.getPrototypeOf(MessagePort.prototype) as Record<string, unknown>;
  for (const method of ['on', 'addListener', 'once', 'off', 'removeListener']) {
    const original = portTarget[method];
    if (typeof original !== 'function') continue;
    const adding = method !== 'off' && method !== 'removeListener';
    portTarget[method] = function (this: unknown, type: unknown, listener: unknown, ...rest: unknown[]) {
      if (type === 'message' && this instanceof MessagePort && typeof listener === 'function' && !wrappers.has(listener as Listener)) {
        const mapped = adding ? wrap(listener as Listener) : (wrapped.get(listener as Listener) ?? listener);
        return original.call(this, type, mapped, ...rest);
      }
      return original.call(this, type, listener, ...rest);
    };
  }
  const dataDescriptor = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  if (dataDescriptor?.get) {
    const getData = dataDescriptor.get;
    Object.defineProperty(MessageEvent.prototype, 'data', {
      ...dataDescriptor,
      get(this: MessageEvent) {
        return revive(getData.call(this));
      },
    });
  }

  if (!isMainThread) {
    const workerThreads = createRequire(import.meta.url)('node:worker_threads') as { workerData: unknown };
    const revived = revive(workerThreads.workerData);
    if (revived !== workerThreads.workerData) {
      workerThreads.workerData = revived;
      syncBuiltinESMExports();
    }
  }
}
