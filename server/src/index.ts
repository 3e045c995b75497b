// The entry point: loads .env and the configuration, listens, and stops cleanly on
// SIGTERM/SIGINT. The only module with side effects at import.
import type { AddressInfo } from 'node:net';
import dotenv from 'dotenv';
import { createApp, SERVER_VERSION } from './app';
import { ConfigError, configWarnings, describeConfig, loadConfig, type Config } from './config';
import { trackForGracefulStop, type GracefulStop } from './graceful-stop';
import { createHttpServer } from './http-server';
import { createJsonLogger } from './logger';

/** How long in-flight requests get to finish after SIGTERM/SIGINT, in milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function readConfig(): Config {
  // The real environment wins over .env: dotenv never overrides a variable already set.
  dotenv.config({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(`Configuration error: ${error.problems.join('; ')}. See .env.example.`);
    }
    throw error;
  }
}

function listenError(error: NodeJS.ErrnoException, config: Config): never {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') {
    fail(
      `Port ${config.port} is already in use on ${config.host}: stop the process using it, or set TOKEN_SERVER_PORT to a free port.`,
    );
  }
  if (error.code === 'EACCES') {
    fail(`Not allowed to listen on ${where}: choose a TOKEN_SERVER_PORT above 1023.`);
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    fail(`Cannot listen on ${where}: TOKEN_SERVER_HOST is not an address of this machine.`);
  }
  fail(`Cannot listen on ${where}: ${error.message}`);
}

function stopOn(signals: NodeJS.Signals[], graceful: GracefulStop): void {
  for (const signal of signals) {
    process.once(signal, () => {
      process.stdout.write(`Received ${signal}: finishing in-flight requests, then exiting.\n`);
      void graceful.stop(SHUTDOWN_GRACE_MS).then((finished) => {
        if (!finished) {
          process.stderr.write('In-flight requests did not finish in time; closed them.\n');
        }
        process.exit(finished ? 0 : 1);
      });
    });
  }
}

function main(): void {
  const config = readConfig();
  for (const warning of configWarnings(config)) {
    process.stderr.write(`WARNING: ${warning}\n`);
  }
  const logger = createJsonLogger();
  // Every way out (signals, listen errors, process.exit) passes here: no log line is lost.
  process.on('exit', () => logger.flush());
  const app = createApp(config, { logger });
  const server = createHttpServer(app);
  const graceful = trackForGracefulStop(server);
  server.listen(config.port, config.host);
  server.on('error', (error: NodeJS.ErrnoException) => listenError(error, config));
  server.on('listening', () => {
    const { port } = server.address() as AddressInfo;
    const settings = Object.entries({ ...describeConfig(config), port })
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    process.stdout.write(
      `LiveKit token server ${SERVER_VERSION} listening on http://${config.host}:${port}\n` +
        `Configuration: ${settings}\n`,
    );
  });
  stopOn(['SIGTERM', 'SIGINT'], graceful);
}

main();
