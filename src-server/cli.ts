#!/usr/bin/env node
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRegistryServer } from './http/app';
import { createLogger } from './logger';
import { createServices } from './services';

// Minimal bootstrap; replaced by the full CLI (config, commands).
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dataDir = flag('--data') ?? process.env.BERTH_DATA ?? './data';
const [host, port] = (flag('--listen') ?? '127.0.0.1:5000').split(':');
const log = createLogger('info', { access: args.includes('--access-log') });
const services = await createServices({ dataDir, log });
const app = createRegistryServer({ registry: services.registry, log });
const server = createServer(app.callback());
server.listen(Number(port), host, () => {
  const a = server.address() as AddressInfo;
  console.log(`Berth registry listening on http://${a.address}:${a.port}`);
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    server.close(() => {
      services.close();
      process.exit(0);
    });
    server.closeAllConnections();
  });
}
