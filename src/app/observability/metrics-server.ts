// Serving Prometheus metrics: a `{base}metrics` route for admins on the API server, or a listener of its own.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HaystackError } from '../../core/errors.js';
import type { HttpRoute } from '../../server/index.js';

/** What serves the exposition text. */
export interface MetricsSource {
  /** Media type of the text. */
  readonly contentType: string;
  /** The current exposition text. */
  metrics(): Promise<string>;
}

/** A running metrics listener. */
export interface MetricsListener {
  /** Where it answers, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stop it (open scrapes are cut). */
  close(): Promise<void>;
}

/** `GET {base}metrics` on the API server, for admins (authenticated like every op): a scrape with a login. */
export function metricsRoute(source: MetricsSource): HttpRoute {
  return {
    name: 'metrics',
    async serve({ req, res, principal, subpath, authorize }) {
      authorize(principal, 'admin', 'metrics');
      if (subpath !== '' && subpath !== '/') throw new HaystackError('HS_ERR_UNKNOWN_OP', 'No such metrics resource');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new HaystackError('HS_ERR_METHOD_NOT_ALLOWED', 'metrics takes GET');
      }
      const body = Buffer.from(await source.metrics(), 'utf8');
      res.writeHead(200, { 'content-type': source.contentType, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

/**
 * Serve `GET /metrics` without authentication on its own address (an internal interface or loopback, where the
 * Prometheus scraper runs); every other path is 404. Resolves once listening. Its own connections are not in
 * `haystack_connections_*`: those count the API server's clients, not the scraper.
 */
export async function listenMetrics(source: MetricsSource, host: string, port: number): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      res.end(path === '/metrics' ? 'metrics takes GET\n' : 'not found: the metrics are at /metrics\n');
      return;
    }
    source.metrics().then(
      (text) => {
        const body = Buffer.from(text, 'utf8');
        res.writeHead(200, { 'content-type': source.contentType, 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${String(addr.port)}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
