// A spin lock as a TypeScript class over one word of a shared Int32Array (0 free, 1 held).
export class SpinLock {
  constructor(private readonly words: Int32Array, private readonly at: number) {}

  lock(): void {
    while (Atomics.compareExchange(this.words, this.at, 0, 1) !== 0) Atomics.wait(this.words, this.at, 1, 1);
  }

  unlock(): void {
    Atomics.store(this.words, this.at, 0);
    Atomics.notify(this.words, this.at, 1);
  }

  with<T>(fn: () => T): T {
    this.lock();
    try {
      return fn();
    } finally {
      this.unlock();
    }
  }
}
