/** racecheck/primitives: the classic toolbox of concurrent programming, across real worker threads. */
import { installMessaging } from './messaging.js';

export { Lock, RLock, type AcquireOptions, type Lockable } from './lock.js';
export { Condition } from './condition.js';
export { Event } from './event.js';
export { Semaphore, BoundedSemaphore } from './semaphore.js';
export { Barrier, type BarrierOptions } from './barrier.js';
export { Queue, type QueueOptions, type QueueOrder, type PutOptions, type GetOptions } from './queue.js';
export { Pipe, Connection, type PipeOptions } from './pipe.js';
export { Thread, currentThread, type ThreadOptions, type ThreadTarget } from './thread.js';
export { Timer } from './timer.js';
export { track, untracked, type SharedTypedArray } from './tracked.js';
export { happensBefore, happensAfter, CustomLock } from './annotations.js';
export { revive, HANDLE_KEY, type SharedDescriptor } from '../core/handles.js';
export type { Timeout, WaitOptions, AsyncWaitOptions } from './waiting.js';
export * from '../core/errors.js';

installMessaging();
