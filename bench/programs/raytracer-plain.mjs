// The ray tracer written without racecheck primitives: worker threads claim rows with Atomics.add on a
// shared counter and render into a shared framebuffer; the main thread waits for their exits.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

const WIDTH = Number(process.env.RAYTRACER_WIDTH ?? 480);
const HEIGHT = Number(process.env.RAYTRACER_HEIGHT ?? 360);
const THREADS = 2;

const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const scale = (a, k) => [a[0] * k, a[1] * k, a[2] * k];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const normalize = (a) => scale(a, 1 / Math.sqrt(dot(a, a)));

const spheres = [
  { center: [0, 0, -5], radius: 1, color: [0.9, 0.2, 0.2], reflect: 0.35 },
  { center: [-2.2, -0.2, -6], radius: 0.8, color: [0.2, 0.8, 0.3], reflect: 0.2 },
  { center: [2.1, 0.1, -4.5], radius: 0.9, color: [0.25, 0.35, 0.95], reflect: 0.5 },
  { center: [0, -1001, -5], radius: 1000, color: [0.8, 0.8, 0.8], reflect: 0.1 },
];
const light = normalize([-1, 1, 0.5]);

function hit(origin, direction) {
  let best;
  let bestT = Infinity;
  for (let s = 0; s < spheres.length; s++) {
    const sphere = spheres[s];
    const oc = sub(origin, sphere.center);
    const b = dot(oc, direction);
    const disc = b * b - dot(oc, oc) + sphere.radius * sphere.radius;
    if (disc < 0) continue;
    const t = -b - Math.sqrt(disc);
    if (t > 1e-4 && t < bestT) {
      bestT = t;
      best = sphere;
    }
  }
  return best ? { sphere: best, t: bestT } : undefined;
}

function trace(origin, direction, depth) {
  const found = hit(origin, direction);
  if (!found) return [0.55, 0.7, 0.95];
  const point = add(origin, scale(direction, found.t));
  const normal = normalize(sub(point, found.sphere.center));
  const shadowed = hit(add(point, scale(normal, 1e-3)), light) !== undefined;
  const diffuse = shadowed ? 0.1 : Math.max(0.1, dot(normal, light));
  let color = scale(found.sphere.color, diffuse);
  if (depth > 0) {
    const reflected = normalize(sub(direction, scale(normal, 2 * dot(direction, normal))));
    color = add(scale(color, 1 - found.sphere.reflect), scale(trace(add(point, scale(normal, 1e-3)), reflected, depth - 1), found.sphere.reflect));
  }
  return color;
}

function renderRow(y, framebuffer) {
  for (let x = 0; x < WIDTH; x++) {
    const direction = normalize([(x - WIDTH / 2) / HEIGHT, (HEIGHT / 2 - y) / HEIGHT, -1]);
    const color = trace([0, 0.3, 1], direction, 3);
    const at = (y * WIDTH + x) * 3;
    for (let c = 0; c < 3; c++) framebuffer[at + c] = Math.min(255, Math.round(color[c] * 255));
  }
}

if (isMainThread) {
  const framebuffer = new Uint8Array(new SharedArrayBuffer(WIDTH * HEIGHT * 3));
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: THREADS }, () => new Worker(new URL(import.meta.url), { workerData: { framebuffer, next } }));
  await Promise.all(workers.map((worker) => new Promise((done) => worker.on('exit', done))));
  let checksum = 0;
  for (let i = 0; i < framebuffer.length; i++) checksum = (checksum * 31 + framebuffer[i]) >>> 0;
  console.log('checksum', checksum);
} else {
  const { framebuffer, next } = workerData;
  for (let row = Atomics.add(next, 0, 1); row < HEIGHT; row = Atomics.add(next, 0, 1)) renderRow(row, framebuffer);
}
