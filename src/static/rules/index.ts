/** Every static rule, one module each. */
import atomicUpdateAcrossAwait from './atomic-update-across-await.js';
import blockingWaitOnMainThread from './blocking-wait-on-main-thread.js';
import conditionWaitWithoutLoop from './condition-wait-without-loop.js';
import lockHeldAcrossAwait from './lock-held-across-await.js';
import lockNotReleased from './lock-not-released.js';
import lockOrderInversion from './lock-order-inversion.js';
import sharedWriteOutsideLock from './shared-write-outside-lock.js';
import unjoinedThread from './unjoined-thread.js';
import type { StaticRule } from '../rule.js';

export const STATIC_RULES: readonly StaticRule[] = [
  atomicUpdateAcrossAwait,
  blockingWaitOnMainThread, conditionWaitWithoutLoop, lockHeldAcrossAwait, lockNotReleased, lockOrderInversion, sharedWriteOutsideLock, unjoinedThread];
