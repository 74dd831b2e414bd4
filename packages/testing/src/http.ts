import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

/** A real HTTP server answering every request with `status` and whatever `body()` returns now. */
export async function serveMetrics(body: () => string, status = 200): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/metrics`, port, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
