/**
 * Messages as happens-before edges: a MessageSend released before a message can arrive, and a
 * MessageReceive acquired when it is dispatched, on the program's own ports, BroadcastChannels and
 * workerData. An envelope carries the message's id and its shared buffers' identities to the receiving
 * side, and is opened before any listener sees the message.
 */
import { createRequire } from 'node:module';
import { isMainThread, MessagePort, type BroadcastChannel } from 'node:worker_threads';
import { newIdentity } from '../../core/handles.js';
import { emit, emitAt, tracing } from '../../tracer/probe.js';
import { EventKind } from '../../tracer/schema.js';
import { adoptBufferId, bufferId } from './identity.js';

const require = createRequire(import.meta.url);
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');

const MESSAGE_MARK = '__racecheckMessage__';
export const WORKER_DATA_MARK = '__racecheckWorkerData__';

interface Envelope {
  [MESSAGE_MARK]?: 1;
  [WORKER_DATA_MARK]?: 1;
  hi: number;
  lo: number;
  buffers: SharedArrayBuffer[];
  ids: number[];
  value: unknown;
}

/**
 * The SharedArrayBuffers a structured clone of `value` would carry (cycles and depth are bounded); ports
 * met on the way go to `onPort`.
 */
function sharedBuffersIn(value: unknown, onPort?: (port: MessagePort) => void): SharedArrayBuffer[] {
  const found = new Set<SharedArrayBuffer>();
  const seen = new Set<object>();
  const visit = (item: unknown, depth: number): void => {
    if (typeof item !== 'object' || item === null || depth > 64 || seen.has(item)) return;
    seen.add(item);
    if (item instanceof SharedArrayBuffer) {
      found.add(item);
      return;
    }
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof SharedArrayBuffer) found.add(item.buffer);
      return;
    }
    if (item instanceof MessagePort) {
      onPort?.(item);
      return;
    }
    if (item instanceof ArrayBuffer) return;
    if (Array.isArray(item)) {
      for (const element of item) if (typeof element === 'object') visit(element, depth + 1);
      return;
    }
    if (item instanceof Map) {
      for (const [key, element] of item) {
        visit(key, depth + 1);
        visit(element, depth + 1);
      }
      return;
    }
    if (item instanceof Set) {
      for (const element of item) visit(element, depth + 1);
      return;
    }
    for (const key of Object.keys(item)) visit((item as Record<string, unknown>)[key], depth + 1);
  };
  visit(value, 0);
  return [...found];
}

export function envelope(mark: typeof MESSAGE_MARK | typeof WORKER_DATA_MARK, value: unknown, hi: number, lo: number): Envelope {
  const buffers = sharedBuffersIn(value);
  const ids: number[] = [];
  for (const buffer of buffers) ids.push(...bufferId(buffer));
  return { [mark]: 1, hi, lo, buffers, ids, value };
}

export function isEnvelope(value: unknown, mark: string): value is Envelope {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[mark] === 1;
}

/**
 * The receiving side: the buffers in the envelope are the very objects inside its value. Ports that came
 * with it are the program's now, and what it sends on them is traced.
 */
export function open(envelope: Envelope): unknown {
  envelope.buffers.forEach((buffer, i) => adoptBufferId(buffer, envelope.ids[2 * i]!, envelope.ids[2 * i + 1]!));
  sharedBuffersIn(envelope.value, traceSending);
  return envelope.value;
}

let lastReceived = -1;

function received(envelope: Envelope): unknown {
  const value = open(envelope);
  // Every listener of one message runs in turn: one receipt is enough.
  const key = envelope.hi * 2 ** 32 + envelope.lo;
  if (tracing && key !== lastReceived) {
    lastReceived = key;
    emitAt(EventKind.MessageReceive, envelope.hi, envelope.lo, 0, 0, 0, 0);
  }
  return value;
}

const HYBRID_DISPATCH = Symbol.for('nodejs.internal.kHybridDispatch');

/**
 * Sending is traced on the program's own ports only — Worker and parentPort, channels it makes, and ports
 * that reach it inside traced messages — never on the prototype: Node's internals (the loader thread,
 * racecheck's collector) talk over MessagePorts too, and their messages must pass untouched.
 */
const tracedPorts = new WeakSet<object>();

/**
 * Sends `value` with a MessageSend released before the message can arrive, inside an envelope that carries
 * its shared buffers' identities and the message's id to the receiving side.
 */
export function sendTraced(post: (message: unknown) => void, value: unknown, entry: (...args: never[]) => unknown): void {
  if (!tracing) return post(value);
  const [hi, lo] = newIdentity();
  emit(EventKind.MessageSend, hi * 2 ** 32 + lo, 0, 0, entry);
  post(envelope(MESSAGE_MARK, value, hi, lo));
}

function traceSending(port: MessagePort): void {
  if (tracedPorts.has(port)) return;
  tracedPorts.add(port);
  const postMessage = port.postMessage;
  Object.defineProperty(port, 'postMessage', {
    configurable: true,
    writable: true,
    value: function postMessageTraced(this: MessagePort, value: unknown, transfer?: unknown): void {
      sendTraced((message) => postMessage.call(this, message, transfer as never), value, postMessageTraced);
    },
  });
}

export function patchMessaging(): void {
  // Receiving is one place for every port: Node's dispatch, which `on`, `once`, `addEventListener` and
  // `onmessage` all go through. Only envelopes are touched; any other message passes as it is.
  const prototype = MessagePort.prototype as unknown as Record<PropertyKey, unknown>;
  const dispatch = prototype[HYBRID_DISPATCH] as ((this: MessagePort, value: unknown, type: string, event: unknown) => unknown) | undefined;
  if (typeof dispatch === 'function') {
    prototype[HYBRID_DISPATCH] = function dispatchTraced(this: MessagePort, value: unknown, type: string, event: unknown): unknown {
      return dispatch.call(this, type === 'message' && isEnvelope(value, MESSAGE_MARK) ? received(value) : value, type, event);
    };
  }
  const receiveMessageOnPort = workerThreads.receiveMessageOnPort;
  workerThreads.receiveMessageOnPort = (target) => {
    const result = receiveMessageOnPort(target);
    if (result && isEnvelope(result.message, MESSAGE_MARK)) return { message: received(result.message) };
    return result;
  };
  const OriginalChannel = workerThreads.MessageChannel;
  class TracedMessageChannel extends OriginalChannel {
    constructor() {
      super();
      traceSending(this.port1);
      traceSending(this.port2);
    }
  }
  Object.defineProperty(TracedMessageChannel, 'name', { value: 'MessageChannel' });
  (workerThreads as { MessageChannel: unknown }).MessageChannel = TracedMessageChannel;
  (globalThis as { MessageChannel: unknown }).MessageChannel = TracedMessageChannel;
  if (!isMainThread && workerThreads.parentPort) traceSending(workerThreads.parentPort);
  // BroadcastChannel (the global is the same class): each channel's messages arrive through a MessagePort
  // of its own, and so through the dispatch above; only sending needs wrapping. Every channel of the name
  // that receives the message acquires what the sender released.
  const broadcast = workerThreads.BroadcastChannel.prototype as { postMessage: (this: BroadcastChannel, ...args: unknown[]) => void };
  const postBroadcast = broadcast.postMessage;
  broadcast.postMessage = function postMessageTraced(this: BroadcastChannel, ...args: unknown[]): void {
    // Without an argument Node throws, and must still.
    if (args.length === 0) return postBroadcast.call(this);
    sendTraced((message) => postBroadcast.call(this, message), args[0], postMessageTraced);
  };
}
