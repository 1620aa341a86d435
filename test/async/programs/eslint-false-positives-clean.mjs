// Shapes ESLint's require-atomic-updates reports although no other task can see the state.
const fetchValue = (value) => new Promise((resolve) => setTimeout(() => resolve(value), 1));

// A local: each call has its own.
async function sumLocal(values) {
  let sum = 0;
  for (const value of values) sum += await fetchValue(value);
  return sum;
}

// A fresh object the function made itself.
async function buildReport() {
  const report = { total: 0 };
  report.total = report.total + (await fetchValue(3));
  report.total += await fetchValue(4);
  return report;
}

// A reassigned parameter.
async function scale(factor) {
  factor = factor * (await fetchValue(2));
  return factor;
}

const [a, b, c, d] = await Promise.all([sumLocal([1, 2]), sumLocal([3, 4]), buildReport(), scale(5)]);
console.log(a, b, c.total, d, await scale(1));
