/**
 * `npm run bench`: runs every `bench/*.bench.ts`, prints a table, and merges the metrics into
 * bench/results.json (metric names are stable so results stay comparable across runs).
 * `npm run bench -- primitives` runs only the benchmarks whose file name contains "primitives".
 * It runs on whichever Node runs it (`PATH=<node 24>/bin:$PATH npm run bench`); every figure records its
 * Node version, and each Node major keeps its own latest figure, so runs on 20 and 24 sit side by side.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Metrics, RecordedMetric } from './harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url));
const filters = process.argv.slice(2);

const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let results: Record<string, RecordedMetric> = {};
try {
  results = JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, RecordedMetric>;
} catch {
  results = {};
}
const major = process.versions.node.split('.')[0]!;

for (const file of files) {
  const started = performance.now();
  // Each file in its own process: JIT feedback from one benchmark must not skew another.
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./run-one.ts', import.meta.url)), file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((text) => text.startsWith('@@metrics '));
  if (child.status !== 0 || !line) {
    process.stdout.write(child.stdout);
    throw new Error(`benchmark ${file} failed (exit ${child.status})`);
  }
  const metrics = JSON.parse(line.slice('@@metrics '.length)) as Metrics;
  for (const [name, metric] of Object.entries(metrics)) {
    // Figures from before versions were recorded were all measured on Node 20.
    const earlier = results[name]?.nodes ?? (results[name] ? { '20': { value: results[name].value, node: 'v20' } } : {});
    results[name] = { ...metric, node: process.version, nodes: { ...earlier, [major]: { value: metric.value, node: process.version } } };
  }
  console.log(`\n${file} on Node ${process.version} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
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
