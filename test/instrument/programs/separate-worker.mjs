import { workerData } from 'node:worker_threads';

const { total, amount } = workerData;
total[0] = total[0] + amount;
