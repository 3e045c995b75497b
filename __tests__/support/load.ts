// Load from the test process: many keep-alive clients sending one request after another, as
// a busy caller's backend does, counting the statuses they get.
import { Agent, request } from 'node:http';

/** POSTs `body` to `url` with `connections` clients, `total` requests in all; the statuses. */
export async function postMany(
  url: string,
  body: string,
  options: { connections: number; total: number; headers?: Record<string, string> },
): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const statuses = new Map<number, number>();
  const target = new URL(url);
  let sent = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            ...options.headers,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        resolve();
      });
      req.end(body);
    });
  const client = async () => {
    while (sent < options.total) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  agent.destroy();
  return statuses;
}
