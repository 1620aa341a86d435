// Prints what a program learns about how it was started: its own path as argv[1], and its arguments.
import { fileURLToPath } from 'node:url';

console.log('main', process.argv[1] === fileURLToPath(import.meta.url), JSON.stringify(process.argv.slice(2)));
