// A metering HTTP proxy in front of one lab S3 endpoint: the split file names the proxy as the
// location's objectStore endpoint, so every S3 request of the reconciler and of the transfer Jobs'
// rclone passes through it, and it counts the body bytes of each answer by client (the request's
// User-Agent: rclone says `rclone/v…`, the reconciler's AWS SDK `aws-sdk-js/…`). The bench measures
// what the reconciler received here, independently of what apply reports about itself. Headers
// (Host included) are forwarded unchanged, so the clients' V4 signatures still match at the store.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Client = 'rclone' | 'reconciler';

export interface MeteredRequest {
  client: Client;
  method: string;
  /** `/bucket/key` (no query). */
  path: string;
  /** The request had a query naming a sub-resource or listing (`?list-type`, `?uploads`, `?partNumber` …). */
  query: string;
  status: number;
  /** Body bytes of the answer (what the client received). */
  received: number;
  /** Body bytes of the request (what the client sent). */
  sent: number;
}

export interface S3Meter {
  endpoint: string;
  requests: MeteredRequest[];
  close(): Promise<void>;
}

const clientOf = (req: IncomingMessage): Client =>
  /^rclone\//i.test(String(req.headers['user-agent'] ?? '')) ? 'rclone' : 'reconciler';

export async function startS3Meter(upstream: string): Promise<S3Meter> {
  const target = new URL(upstream);
  const requests: MeteredRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://meter');
    const entry: MeteredRequest = {
      client: clientOf(req),
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search,
      status: 0,
      received: 0,
      sent: 0,
    };
    requests.push(entry);
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (d: Buffer) => (entry.received += d.length));
        answer.pipe(res);
      },
    );
    out.on('error', (e) => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    req.on('data', (d: Buffer) => (entry.sent += d.length));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
