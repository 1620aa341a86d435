/** Runs one benchmark file in a fresh process (so JIT state left by another cannot skew it) and prints its metrics as JSON. */
const file = process.argv[2];
if (!file) throw new Error('usage: run-one.ts <file.bench.ts>');
const module = (await import(new URL(`./${file}`, import.meta.url).href)) as { run(): Promise<unknown> };
const metrics = await module.run();
process.stdout.write(`\n@@metrics ${JSON.stringify(metrics)}\n`);
