// Binding a listener, with the one error message an operator needs when it fails (which port, and why).
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';

/** Listens on `host:port` and returns the bound port; `what` names the listener in the error. */
export async function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `${what} port ${port} on ${host} is already in use`
        : `cannot listen for ${what} on ${host}:${port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return (server.address() as AddressInfo).port;
}
