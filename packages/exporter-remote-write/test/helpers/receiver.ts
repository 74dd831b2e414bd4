import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly at: number;
}

/** A loopback HTTP server that records each request and answers with `respond`. */
export interface CaptureServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  respond: (request: Received, response: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startCaptureServer(port = 0): Promise<CaptureServer> {
  const requests: Received[] = [];
  const capture: CaptureServer = {
    url: '',
    port: 0,
    requests,
    respond: (_request, response) => {
      response.writeHead(204);
      response.end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = { headers: request.headers, body: Buffer.concat(chunks), at: Date.now() };
      requests.push(received);
      capture.respond(received, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  Object.assign(capture, { url: `http://127.0.0.1:${bound}/api/v1/write`, port: bound });
  return capture;
}

/** Waits until `check` is true, polling every 10 ms, failing after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
