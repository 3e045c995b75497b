import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/processes';

/**
 * Runs a script in a fresh Node (module caches are per process), with tsx to load the source,
 * and answers its output.
 */
function inFreshNode(script: string): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.status !== 0) throw new Error(`the script failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const LOADED = `Object.keys(require.cache).filter((file) => /node_modules\\/(iconv-lite|raw-body)\\//.test(file)).length`;

describe('lazy-body-parser', () => {
  it('keeps Express from loading body-parser and what it pulls in', () => {
    const output = inFreshNode(`
      require('./server/src/lazy-body-parser.ts');
      const express = require('express');
      process.stdout.write(JSON.stringify({ loaded: ${LOADED}, json: typeof express.json }));
    `);
    expect(output).toEqual({ loaded: 0, json: 'function' });
  });

  it('loads the real body-parser when express.json() is called, which then parses', () => {
    const output = inFreshNode(`
      require('./server/src/lazy-body-parser.ts');
      const express = require('express');
      const parse = express.json();
      const { Readable } = require('node:stream');
      const req = Object.assign(Readable.from([Buffer.from('{"a":1}')]), {
        headers: { 'content-type': 'application/json', 'content-length': '7' },
      });
      parse(req, {}, (error) => {
        process.stdout.write(JSON.stringify({ loaded: ${LOADED} > 0, body: req.body, error: String(error ?? '') }));
      });
    `);
    expect(output).toEqual({ loaded: true, body: { a: 1 }, error: '' });
  });
});
