// The CLI package's version, as `request-token --version` prints it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The version in client-cli/package.json, read once; the path holds from src/ and dist/. */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
