// The docs section: whether the server describes itself, with the interactive API reference
// at /docs and the OpenAPI document at /openapi.json. On by default in development; off in
// production unless DOCS=on, since a public server need not advertise its routes.
import { gotValue, read, sectionVariables, type ParseContext } from './env';

export const DOCS_VARIABLES = sectionVariables('docs', [
  {
    name: 'DOCS',
    description:
      'on or off: the API reference at /docs and /openapi.json (default on, off in production)',
  },
]);

/** Whether the server serves its own API reference. */
export interface DocsConfig {
  /** True when /docs and /openapi.json answer; false makes them 404 like any unknown path. */
  docsEnabled: boolean;
}

/** Reads the docs section. */
export function parseDocs({ env, production, problems }: ParseContext): DocsConfig {
  const raw = read(env, 'DOCS');
  if (raw === undefined) return { docsEnabled: !production };
  const value = raw.toLowerCase();
  if (value === 'on' || value === 'off') return { docsEnabled: value === 'on' };
  problems.push(`DOCS must be on or off ${gotValue(raw, /^[a-z]+$/i)}`);
  return { docsEnabled: false };
}

/** The docs section as printed at start-up. */
export function describeDocs(config: DocsConfig): Record<string, string | number> {
  return { docs: config.docsEnabled ? 'on' : 'off' };
}
