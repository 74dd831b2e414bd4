import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Captured {
  readonly headers: IncomingHttpHeaders;
  readonly path: string;
  /** The body, gunzipped when it came gzip-encoded. */
  readonly body: Buffer;
}

/** A loopback HTTP server that records requests; `respond` decides the answer (default 200). */
export async function startCapture(): Promise<{
  url: string;
  requests: Captured[];
  respond: (request: Captured, response: ServerResponse) => void;
  close(): Promise<void>;
}> {
  const requests: Captured[] = [];
  const state = {
    respond: (_request: Captured, response: ServerResponse): void => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const captured = { headers: request.headers, path: request.url ?? '', body };
      requests.push(captured);
      state.respond(captured, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get respond() {
      return state.respond;
    },
    set respond(fn) {
      state.respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
