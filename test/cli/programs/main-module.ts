// Prints what a TypeScript program learns about how it was started: its own path as argv[1], and its
// arguments.
import { fileURLToPath } from 'node:url';

const self: string = fileURLToPath(import.meta.url);
console.log('main', process.argv[1] === self, JSON.stringify(process.argv.slice(2)));
