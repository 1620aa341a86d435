// Small Atomics synchronisation helpers, as a program would keep them in a module of its own: a countdown
// latch, a sense-reversing spin barrier, and a done counter. Each is correct; what the programs using them
// do around them is what is tested.

/** A latch over one Int32 word: `count` arrivals open it. */
export function latch(count) {
  const word = new Int32Array(new SharedArrayBuffer(4));
  word[0] = count;
  return word;
}

export function countDown(latchWord) {
  if (Atomics.sub(latchWord, 0, 1) === 1) Atomics.notify(latchWord, 0);
}

export function awaitLatch(latchWord) {
  for (let left = Atomics.load(latchWord, 0); left !== 0; left = Atomics.load(latchWord, 0)) Atomics.wait(latchWord, 0, left, 50);
}

/** A barrier for `parties` threads: [arrived, sense]. */
export function barrier(parties) {
  const words = new Int32Array(new SharedArrayBuffer(12));
  words[2] = parties;
  return words;
}

export function arriveAndWait(words, localSense) {
  const sense = localSense ^ 1;
  if (Atomics.add(words, 0, 1) === words[2] - 1) {
    Atomics.store(words, 0, 0);
    Atomics.store(words, 1, sense);
    Atomics.notify(words, 1);
  } else {
    while (Atomics.load(words, 1) !== sense) Atomics.wait(words, 1, sense ^ 1, 20);
  }
  return sense;
}

export function finished(counter) {
  Atomics.add(counter, 0, 1);
}

/** A per-worker progress meter: each worker bumps its own word (main may show them). */
export function progressed(meter, worker) {
  Atomics.add(meter, worker, 1);
}
