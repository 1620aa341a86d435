/**
 * Pipe: two connected endpoints for sending values between threads (Python's
 * `multiprocessing.Pipe`). Each direction is a FIFO Queue in shared memory; closing an endpoint shuts both
 * directions down, so the other side's `recv` ends with PipeClosedError once it has read what was sent, and
 * its `send` fails at once.
 */
import { PipeClosedError, QueueShutDownError } from '../core/errors.js';
import { Queue } from './queue.js';
import { exposeDescriptor, HANDLE_KEY, registerReviver, revive, type SharedDescriptor } from '../core/handles.js';
import { checkTimeout, type AsyncWaitOptions } from './waiting.js';

export interface PipeOptions {
  /** false: the first connection only receives and the second only sends. Default true. */
  duplex?: boolean;
  /** Most bytes of unread messages held per direction (default 64 MiB). */
  maxBytes?: number;
}

function reviveQueue(shared: unknown): Queue | undefined {
  return shared ? (revive({ [HANDLE_KEY]: shared }) as Queue) : undefined;
}

export class Connection {
  declare readonly [HANDLE_KEY]: SharedDescriptor;
  readonly #incoming: Queue | undefined;
  readonly #outgoing: Queue | undefined;
  #closed = false;

  /** Made by `Pipe()`; given a shared descriptor, a handle on an existing endpoint. */
  constructor(ends: { incoming?: Queue; outgoing?: Queue } | SharedDescriptor) {
    if (HANDLE_KEY in ends || 'type' in ends) {
      const shared = ends as SharedDescriptor;
      this.#incoming = reviveQueue(shared['incoming']);
      this.#outgoing = reviveQueue(shared['outgoing']);
    } else {
      const { incoming, outgoing } = ends as { incoming?: Queue; outgoing?: Queue };
      this.#incoming = incoming;
      this.#outgoing = outgoing;
    }
    exposeDescriptor(this, {
      type: 'Connection',
      incoming: this.#incoming?.[HANDLE_KEY] ?? null,
      outgoing: this.#outgoing?.[HANDLE_KEY] ?? null,
    });
  }

  get readable(): boolean {
    return this.#incoming !== undefined;
  }

  get writable(): boolean {
    return this.#outgoing !== undefined;
  }

  /** True once this endpoint was closed (by this handle) or the pipe was closed from either side. */
  get closed(): boolean {
    return this.#closed || (this.#incoming ?? this.#outgoing)?.isShutDown === true;
  }

  #out(where: string): Queue {
    if (this.#closed) throw new PipeClosedError(`${where}: the connection is closed`);
    if (!this.#outgoing) throw new PipeClosedError(`${where}: this end of the pipe only receives`);
    return this.#outgoing;
  }

  #in(where: string): Queue {
    if (this.#closed) throw new PipeClosedError(`${where}: the connection is closed`);
    if (!this.#incoming) throw new PipeClosedError(`${where}: this end of the pipe only sends`);
    return this.#incoming;
  }

  /** Sends a structured-cloneable value to the other end. */
  send(value: unknown): void {
    const out = this.#out('Connection.send');
    try {
      out.put(value);
    } catch (error) {
      throw this.#translate(error, 'Connection.send', 'the other end is closed');
    }
  }

  async sendAsync(value: unknown, options?: AsyncWaitOptions): Promise<void> {
    const out = this.#out('Connection.sendAsync');
    try {
      await out.putAsync(value, options);
    } catch (error) {
      throw this.#translate(error, 'Connection.sendAsync', 'the other end is closed');
    }
  }

  /** Receives the next value, waiting for one; PipeClosedError once the other end closed and all is read. */
  recv<T = unknown>(): T {
    const incoming = this.#in('Connection.recv');
    try {
      return incoming.get() as T;
    } catch (error) {
      throw this.#translate(error, 'Connection.recv', 'the other end is closed and nothing is left to read');
    }
  }

  async recvAsync<T = unknown>(options?: AsyncWaitOptions): Promise<T> {
    const incoming = this.#in('Connection.recvAsync');
    try {
      return (await incoming.getAsync(options)) as T;
    } catch (error) {
      throw this.#translate(error, 'Connection.recvAsync', 'the other end is closed and nothing is left to read');
    }
  }

  /** Whether a value is ready to `recv`, waiting up to `timeout` ms (default 0: just look). */
  poll(timeout = 0): boolean {
    return this.#in('Connection.poll').poll(checkTimeout(timeout, 'Connection.poll'));
  }

  pollAsync(options?: AsyncWaitOptions): Promise<boolean> {
    return this.#in('Connection.pollAsync').pollAsync(options);
  }

  /** Closes the pipe: the other end can read what was already sent, then gets PipeClosedError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#incoming?.shutdown();
    this.#outgoing?.shutdown();
  }

  #translate(error: unknown, where: string, why: string): unknown {
    return error instanceof QueueShutDownError ? new PipeClosedError(`${where}: ${why}`) : error;
  }
}

/** Two connected endpoints; by default both can send and receive. */
export function Pipe(options: PipeOptions = {}): [Connection, Connection] {
  const make = (): Queue => new Queue({ maxBytes: options.maxBytes, channel: true } as ConstructorParameters<typeof Queue>[0]);
  const forward = make();
  if (options.duplex === false) {
    return [new Connection({ incoming: forward }), new Connection({ outgoing: forward })];
  }
  const backward = make();
  return [new Connection({ incoming: backward, outgoing: forward }), new Connection({ incoming: forward, outgoing: backward })];
}

registerReviver('Connection', (d) => new Connection(d));
