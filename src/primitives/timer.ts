/**
 * Timer: a Thread that calls its target after `interval` ms unless cancelled first (Python's
 * `threading.Timer`). The wait happens in the timer's own worker, on a shared Event that `cancel()` sets, so
 * any thread holding the timer can cancel it.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { Event } from './event.js';
import { builtinModule, Thread, type ThreadOptions, type ThreadTarget } from './thread.js';
import { checkTimeout } from './waiting.js';

export class Timer extends Thread {
  static override readonly [builtinModule]: string = import.meta.url;
  readonly interval: number;
  /** Set when the timer has fired or was cancelled. */
  readonly finished: Event;

  constructor(interval: number, target: ThreadTarget, args: unknown[] = [], options: Omit<ThreadOptions, 'target' | 'args'> = {}) {
    if (typeof interval !== 'number') throw new InvalidArgumentError(`Timer: interval must be a number of milliseconds, got ${String(interval)}`);
    checkTimeout(interval, 'Timer');
    super({ ...options, target, args });
    this.interval = interval;
    this.finished = new Event();
  }

  /** Stops the timer if it has not fired yet. */
  cancel(): void {
    this.finished.set();
  }

  override run(): unknown {
    if (this.finished.wait(this.interval)) return undefined;
    try {
      return super.run();
    } finally {
      this.finished.set();
    }
  }
}
