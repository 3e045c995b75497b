// The server package's version, as `GET /` and the start-up line report it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The version in server/package.json, read once. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
