// What the server says when it starts listening: in a terminal, a short summary on several
// lines a person reads at a glance; otherwise (a log collector, a container) and always in
// production, JSON lines, one per configuration section, that machines parse.
import type { Config } from './config';
import { describeConfigBySection } from './config';

/** How the start-up report is written. */
export type ReportStyle = 'text' | 'json';

/** Text for a person at a terminal, JSON lines for anything else and for production. */
export function reportStyleFor(isTerminal: boolean, config: Config): ReportStyle {
  return isTerminal && !config.production ? 'text' : 'json';
}

/** The lines announcing where the server listens and how it is configured. */
export function startupReport(
  style: ReportStyle,
  config: Config,
  details: { version: string; url: string; port: number; workers: number },
): string {
  const listening = `LiveKit token server ${details.version} listening on ${details.url}`;
  // The port listened on, not the one asked for: 0 asks the system for a free one.
  const sections = describeConfigBySection(config).map(({ section, settings }) => ({
    section,
    settings: section === 'http' ? { ...settings, port: details.port } : settings,
  }));
  if (style === 'text') {
    const width = Math.max(...sections.map(({ section }) => section.length));
    const lines = sections.map(
      ({ section, settings }) =>
        `  ${section.padEnd(width)}  ${Object.entries(settings)
          .map(([name, value]) => `${name}=${value}`)
          .join(' ')}`,
    );
    return `${listening}${details.workers > 1 ? ` (${details.workers} workers)` : ''}\n${lines.join('\n')}\n`;
  }
  const time = new Date().toISOString();
  const line = (fields: object) => JSON.stringify({ time, level: 'info', ...fields });
  return [
    line({
      message: listening,
      version: details.version,
      url: details.url,
      workers: details.workers,
    }),
    ...sections.map(({ section, settings }) =>
      line({ message: 'configuration', section, ...settings }),
    ),
  ]
    .map((text) => `${text}\n`)
    .join('');
}
