// Answering an upgrade request (a WebSocket handshake) that will not be upgraded: a plain HTTP status on the socket.

import type { Duplex } from 'node:stream';

/** End an upgrade's socket with `status` (`403 Forbidden`), no body and the connection closed. */
export function refuseUpgrade(socket: Duplex, status: string, headers: Readonly<Record<string, string>> = {}): void {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n${extra}\r\n`);
}
