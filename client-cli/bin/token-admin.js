#!/usr/bin/env node
// npm links workspace bins before the build runs and skips targets that do not exist yet,
// so the bin is this committed launcher rather than the compiled dist/admin-cli.js itself.
const { existsSync } = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'admin-cli.js');
if (!existsSync(cli)) {
  process.stderr.write('token-admin is not built yet: run `npm run build` in the repository.\n');
  process.exit(1);
}
require(cli);
