// deploy/systemd/livekit-token-server.service, parsed: it starts what the image starts,
// stops as the server needs, and keeps its hardening compatible with Node.js. systemd
// cannot run it here (no systemd as PID 1); `systemd-analyze verify` accepted it by hand.
import { posix } from 'node:path';
import { containerCommand, readDockerfile, type Stage } from './support/dockerfile';
import {
  isSecretVariable,
  longestStopMs,
  readRepoFile,
  SERVER_VARIABLES,
} from './support/server-facts';

/** A unit file's settings, each key with every value it was given, in order. */
function parseUnit(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      continue;
    }
    const equals = line.indexOf('=');
    const key = `${section}.${line.slice(0, equals)}`;
    settings.set(key, [...(settings.get(key) ?? []), line.slice(equals + 1)]);
  }
  return settings;
}

/** A systemd time span (30, 30s, 1min 30s) in milliseconds. */
function timeSpanMs(span: string): number {
  if (/^\d+$/.test(span)) return Number(span) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, min: 60_000, m: 60_000 };
  let total = 0;
  for (const [, amount, unit] of span.matchAll(/(\d+)\s*(ms|sec|s|min|m)/g)) {
    total += Number(amount) * (units[unit ?? ''] ?? NaN);
  }
  return total;
}

const unit = parseUnit(readRepoFile('deploy/systemd/livekit-token-server.service'));

/** The last value of a [Service] setting. */
function service(key: string): string | undefined {
  return unit.get(`Service.${key}`)?.at(-1);
}

/** The variables set with Environment= lines. */
function environment(): Record<string, string> {
  return Object.fromEntries(
    (unit.get('Service.Environment') ?? []).flatMap((line) =>
      line.split(/\s+/).map((assignment) => {
        const equals = assignment.indexOf('=');
        return [assignment.slice(0, equals), assignment.slice(equals + 1)];
      }),
    ),
  );
}

describe('deploy/systemd/livekit-token-server.service', () => {
  it('starts node on the entry point the image starts, from the install folder', () => {
    const [node = '', ...args] = (service('ExecStart') ?? '').split(/\s+/);
    expect(posix.basename(node)).toBe('node');
    expect(posix.isAbsolute(node)).toBe(true);
    expect(args).toEqual(containerCommand(readDockerfile().stages.at(-1) as Stage).slice(1));
    expect(posix.isAbsolute(service('WorkingDirectory') ?? '')).toBe(true);
  });

  it('sets NODE_ENV=production and reads the rest from a root-only environment file', () => {
    expect(environment().NODE_ENV).toBe('production');
    expect(service('EnvironmentFile')).toMatch(/^\/etc\//);
  });

  it('sets with Environment= only variables the server reads, and no secret', () => {
    const names = Object.keys(environment());
    expect(names.filter((name) => !SERVER_VARIABLES.has(name))).toEqual([]);
    expect(names.filter(isSecretVariable)).toEqual([]);
  });

  it('stops with SIGTERM and waits longer than the drain and in-flight grace', () => {
    expect(service('KillSignal')).toBe('SIGTERM');
    expect(timeSpanMs(service('TimeoutStopSec') ?? '90')).toBeGreaterThan(
      longestStopMs(environment()),
    );
  });

  it('runs as an unprivileged user of its own', () => {
    const dynamic = service('DynamicUser') === 'yes';
    const user = service('User');
    expect(dynamic || (user !== undefined && !/^(root|0)$/.test(user))).toBe(true);
    expect(service('NoNewPrivileges')).toBe('yes');
    expect(service('CapabilityBoundingSet')).toBe('');
    expect(service('ProtectSystem')).toBe('strict');
  });

  it('keeps what Node.js needs: JIT memory, its sockets, and survivable system-call refusals', () => {
    // V8 writes machine code at run time: MemoryDenyWriteExecute=yes kills it.
    expect(service('MemoryDenyWriteExecute')).not.toBe('yes');
    const families = (service('RestrictAddressFamilies') ?? '').split(/\s+/);
    expect(families).toEqual(expect.arrayContaining(['AF_INET', 'AF_INET6', 'AF_UNIX']));
    // Without an error number a refused system call kills the process instead of failing.
    if (unit.has('Service.SystemCallFilter'))
      expect(service('SystemCallErrorNumber')).toBeDefined();
  });

  it('restarts after a crash, not after a clean stop', () => {
    expect(service('Restart')).toBe('on-failure');
  });
});
