// Opposite orders again, but each task takes and releases both locks without an await in between: no
// other task of this thread can come between the two acquisitions, so the order cannot deadlock.
import { Lock } from 'racecheck';

const ledger = new Lock();
const audit = new Lock();
let posted = 0;

function post(first, second) {
  first.acquire();
  second.acquire();
  posted++;
  second.release();
  first.release();
}

setTimeout(() => post(ledger, audit), 0);
setTimeout(() => post(audit, ledger), 5);
setTimeout(() => console.log('posted', posted), 20);
