// A TCP proxy that can drop its connections silently: bytes stop flowing both ways and neither end is told, as when
// a NAT or firewall forgets an idle connection. Connections made after that pass normally.

import net from 'node:net';

/** A proxy on 127.0.0.1 (OS-chosen port) to one target. */
export interface SilentProxy {
  /** The port it listens on. */
  readonly port: number;
  /** Connections open through it now. */
  readonly open: number;
  /**
   * Stop forwarding on the open connections whose client has sent `match` (every one when omitted; the first 64 KiB
   * a client sends are looked at), leaving both sockets open: nothing is closed or reset. Returns how many.
   */
  dropSilently(match?: string): number;
  /** Close the listener and every connection. */
  close(): Promise<void>;
}

/** Start a proxy forwarding to `targetHost:targetPort`. */
export async function startSilentProxy(targetHost: string, targetPort: number): Promise<SilentProxy> {
  const pairs = new Set<{
    readonly client: net.Socket;
    readonly upstream: net.Socket;
    sent: string;
    dropped: boolean;
  }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream, sent: '', dropped: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.sent.length < 65_536) pair.sent += chunk.toString('latin1');
    });
    const forward = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.dropped) to.write(chunk);
      });
      from.on('end', () => {
        if (!pair.dropped) to.end();
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        pairs.delete(pair);
        if (!pair.dropped) to.destroy();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get open() {
      return pairs.size;
    },
    dropSilently: (match) => {
      let n = 0;
      for (const p of pairs) {
        if (match !== undefined && !p.sent.includes(match)) continue;
        p.dropped = true;
        n++;
      }
      return n;
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
