import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export type RedisProxy = {
  /** The port clients connect to; the same after a stop and a start. */
  readonly port: number;
  /** Listens again on the same port: Redis is reachable again. */
  start: () => Promise<void>;
  /** Closes the port and cuts every open connection: clients see Redis go away and are refused. */
  stop: () => Promise<void>;
};

/**
 * A TCP proxy in front of Redis, so a test can take "Redis" away from the workers and bring it
 * back without touching the real server other tests use.
 */
export async function startRedisProxy(target: { host?: string; port?: number } = {}): Promise<RedisProxy> {
  const targetHost = target.host ?? '127.0.0.1';
  const targetPort = target.port ?? 6379;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        track(client);
        track(upstream);
        const cut = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', cut).on('close', cut);
        upstream.on('error', cut).on('close', cut);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    async start() {
      if (!server) await listen();
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
