import { createServer, type Server } from 'node:http';
import { eventually, freePort } from './ports.js';

/** One notification as Alertmanager's webhook sends it (version 4 payload). */
export interface WebhookNotification {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** A real HTTP server standing in for a pager: it records what Alertmanager posts, per path. */
export interface WebhookReceiver {
  readonly url: string;
  /** Notifications received on `path` (e.g. `/model`), oldest first. */
  received(path: string): WebhookNotification[];
  /** Waits until a notification on `path` satisfies `accept`, and returns it. */
  waitFor(path: string, what: string, accept: (n: WebhookNotification) => boolean, timeoutMs?: number): Promise<WebhookNotification>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const byPath = new Map<string, WebhookNotification[]>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0]!;
      const list = byPath.get(path) ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookNotification);
      byPath.set(path, list);
      response.writeHead(200).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const received = (path: string): WebhookNotification[] => byPath.get(path) ?? [];
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor: (path, what, accept, timeoutMs = 30_000) =>
      eventually(`${what} on ${path}`, async () => received(path).find(accept), timeoutMs),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
