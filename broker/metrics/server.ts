// The operations port (9600 by default): Prometheus metrics, and liveness/readiness for Kubernetes probes.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listen } from '../net/listen.js';

export interface Readiness {
  /** Empty when ready; otherwise what is not (e.g. "configuration invalid"). */
  (): string[];
}

export class OpsServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(registry: Registry, readiness: Readiness, port: number, host: string): Promise<OpsServer> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (url === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
        );
      } else if (url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (url === '/readyz') {
        const problems = readiness();
        res
          .writeHead(problems.length === 0 ? 200 : 503, { 'content-type': 'text/plain' })
          .end(problems.length === 0 ? 'ready\n' : `not ready:\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
      }
    });
    const bound = await listen(server, port, host, 'metrics');
    return new OpsServer(server, bound);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
