// Import assertions are syntax Node 20 accepts and the instrumentation parser does not: the module must
// run uninstrumented, with a warning naming it.
import data from './import-assertion.json' assert { type: 'json' };

console.log('loaded', data.answer);
