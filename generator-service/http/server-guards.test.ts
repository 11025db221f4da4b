import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  applyConnectionTimeouts,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './server-guards';

describe('connection timeouts', () => {
  it('keeps idle connections longer than Go’s 90 s client default, and bounds a whole request', async () => {
    const server = http.createServer((_req, res) => res.end('{}'));
    applyConnectionTimeouts(server);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(90_000);
    expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(server.headersTimeout).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS);

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new http.Agent({ keepAlive: true });
    try {
      const { port } = server.address() as AddressInfo;
      const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
        http
          .request({ host: '127.0.0.1', port, method: 'POST', agent }, (res) => {
            res.resume();
            resolve(res.headers['keep-alive']?.toString());
          })
          .on('error', reject)
          .end('{}');
      });
      // What a client sees: the server announces how long it keeps the idle connection.
      expect(keepAlive).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
