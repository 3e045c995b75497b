// Build step: copies the API reference's browser files (Swagger UI's script and styles, and
// its licence) from the swagger-ui-dist devDependency into dist/docs, with a gzip of each
// made once here rather than at every start. The server reads them from there, so that the
// production install needs no package for a page that is off in production by default.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('swagger-ui-dist/package.json'));
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'docs');

/** The files the page loads, each also written gzipped. */
const SERVED = ['swagger-ui-bundle.js', 'swagger-ui.css'];
/** Swagger UI's licence (Apache-2.0) travels with its code. */
const LICENCES = ['LICENSE', 'NOTICE'];

mkdirSync(target, { recursive: true });
for (const name of SERVED) {
  const bytes = readFileSync(join(source, name));
  writeFileSync(join(target, name), bytes);
  writeFileSync(join(target, `${name}.gz`), gzipSync(bytes, { level: 9 }));
}
for (const name of LICENCES) copyFileSync(join(source, name), join(target, name));
const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
writeFileSync(join(target, 'VERSION'), `swagger-ui-dist ${version}\n`);
