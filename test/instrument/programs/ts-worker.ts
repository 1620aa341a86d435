import { workerData } from 'node:worker_threads';

interface Job {
  slots: Int32Array;
  slot: number;
}

const { slots, slot } = workerData as Job;
slots[slot] = slot * 100;
