import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { spawnServer } from './server-process.js';

/** Debian's prometheus-node-exporter on loopback: the machine beside the model server. */
export interface NodeExporter {
  /** `host:port`, for a scrape target. */
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts /usr/bin/prometheus-node-exporter on a free loopback port (fails loudly when it is not installed). */
export async function startNodeExporter(): Promise<NodeExporter> {
  const binary = requireBinary('prometheus-node-exporter', 'prometheus-node-exporter', 'NODE_EXPORTER_BIN');
  const port = await freePort();
  const server = await spawnServer('node_exporter', binary, [`--web.listen-address=127.0.0.1:${port}`], { cwd: process.cwd(), readyUrl: `http://127.0.0.1:${port}/metrics` });
  return { address: `127.0.0.1:${port}`, stop: () => server.halt() };
}
