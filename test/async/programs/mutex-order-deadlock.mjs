// Two transfers lock the two accounts in opposite orders, each pausing in between: both wait forever.
import { Mutex } from 'async-mutex';

const checking = new Mutex();
const savings = new Mutex();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function transfer(from, to) {
  const releaseFrom = await from.acquire();
  await sleep(5);
  const releaseTo = await to.acquire();
  releaseTo();
  releaseFrom();
}

transfer(checking, savings);
transfer(savings, checking);
