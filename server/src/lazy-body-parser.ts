// Express loads body-parser when it loads (for express.json() and the like), which this
// server never mounts: json-body.ts reads bodies. body-parser and what it pulls in (iconv-lite,
// qs, raw-body, debug...) took some 70 ms of every start-up, a quarter of the time to the
// first answer (bench/startup.ts). Imported before Express, this leaves a stand-in in Node's
// module cache: express.json() and its siblings still work, and load the real body-parser
// the first time one of them is called.
import { dirname } from 'node:path';

/** body-parser as Express will resolve it, from Express's own folder. */
const BODY_PARSER = require.resolve('body-parser', {
  paths: [dirname(require.resolve('express'))],
});

type BodyParsers = Record<'json' | 'raw' | 'text' | 'urlencoded', (options?: unknown) => unknown>;

if (require.cache[BODY_PARSER] === undefined) {
  let real: BodyParsers | undefined;
  const load = (): BodyParsers => {
    if (real === undefined) {
      // The stand-in leaves the cache so that require loads the real module in its place.
      delete require.cache[BODY_PARSER];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      real = require(BODY_PARSER) as BodyParsers;
    }
    return real;
  };
  const standIn: BodyParsers = {
    json: (options) => load().json(options),
    raw: (options) => load().raw(options),
    text: (options) => load().text(options),
    urlencoded: (options) => load().urlencoded(options),
  };
  // A module record like those Node keeps; only `exports` and `loaded` are read by require.
  require.cache[BODY_PARSER] = {
    id: BODY_PARSER,
    filename: BODY_PARSER,
    loaded: true,
    exports: standIn,
  } as NodeJS.Module;
}
