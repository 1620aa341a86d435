// A futex-style mutex over one Int32 word (0 free, 1 locked, 2 contended), as a program keeps it in a
// helper module: not reentrant.
export function lock(words, at) {
  let c = Atomics.compareExchange(words, at, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, at, 2);
  while (c !== 0) {
    Atomics.wait(words, at, 2);
    c = Atomics.exchange(words, at, 2);
  }
}

export function unlock(words, at) {
  if (Atomics.sub(words, at, 1) !== 1) {
    Atomics.store(words, at, 0);
    Atomics.notify(words, at, 1);
  }
}
