// The same server counting after the await: each request's read and write happen in one step.
import { createServer } from 'node:http';

let visits = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer(async (request, response) => {
  await sleep(5);
  visits += 1;
  response.end(String(visits));
});

server.listen(0, async () => {
  const { port } = server.address();
  const responses = await Promise.all([fetch(`http://127.0.0.1:${port}/`), fetch(`http://127.0.0.1:${port}/`)]);
  await Promise.all(responses.map((r) => r.text()));
  server.close();
  console.log('visits', visits);
});
