/**
 * `npm run bench`: runs every `bench/*.bench.ts`, prints a table, and merges the metrics into
 * bench/results.json (metric names are stable so results stay comparable across runs).
 * `npm run bench -- primitives` runs only the benchmarks whose file name contains "primitives".
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Metrics } from './harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url));
const filters = process.argv.slice(2);

const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let results: Metrics = {};
try {
  results = JSON.parse(readFileSync(resultsPath, 'utf8')) as Metrics;
} catch {
  results = {};
}

for (const file of files) {
  const started = performance.now();
  const module = (await import(new URL(`./${file}`, import.meta.url).href)) as { run(): Promise<Metrics> };
  const metrics = await module.run();
  Object.assign(results, metrics);
  console.log(`\n${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  console.table(
    Object.fromEntries(
      Object.entries(metrics).map(([name, metric]) => [
        name,
        { value: Number(metric.value.toPrecision(4)), unit: metric.unit, baseline: metric.baseline },
      ]),
    ),
  );
}

const sorted = Object.fromEntries(Object.entries(results).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(`${resultsPath}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
renameSync(`${resultsPath}.tmp`, resultsPath);
console.log(`\nwrote ${resultsPath}`);
