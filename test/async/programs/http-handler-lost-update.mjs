// An HTTP server whose handler counts visits across an await: two requests at once lose one.
import { createServer } from 'node:http';

let visits = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer(async (request, response) => {
  const seen = visits;
  await sleep(5);
  visits = seen + 1;
  response.end(String(visits));
});

server.listen(0, async () => {
  const { port } = server.address();
  await Promise.all([fetch(`http://127.0.0.1:${port}/`), fetch(`http://127.0.0.1:${port}/`)]).then((responses) => Promise.all(responses.map((r) => r.text())));
  server.close();
  console.log('visits', visits);
});
