import {
  createJsonLogger,
  MAX_QUEUED_LOG_CHARS,
  redactPath,
  streamSinks,
  type LogStream,
} from '../../server/src/logger';
import type * as LoggerModule from '../../server/src/logger';

function recordingSinks() {
  const writes = { info: [] as string[], problems: [] as string[] };
  return {
    writes,
    sinks: {
      info: (chunk: string) => writes.info.push(chunk),
      problems: (chunk: string) => writes.problems.push(chunk),
    },
  };
}

function parseLines(chunks: string[]): Array<Record<string, unknown>> {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createJsonLogger', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('info lines', () => {
    it('are batched into one write after the flush interval', () => {
      const { writes, sinks } = recordingSinks();
      const logger = createJsonLogger(sinks, { flushIntervalMs: 100, maxBufferedChars: 1e6 });
      logger.info('request', { status: 200 });
      logger.info('request', { status: 404 });
      expect(writes.info).toEqual([]);
      jest.advanceTimersByTime(99);
      expect(writes.info).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(writes.info).toHaveLength(1);
      expect(parseLines(writes.info)).toEqual([
        { time: expect.any(String), level: 'info', message: 'request', status: 200 },
        { time: expect.any(String), level: 'info', message: 'request', status: 404 },
      ]);
    });

    it('are written at once when the buffer fills', () => {
      const { writes, sinks } = recordingSinks();
      const logger = createJsonLogger(sinks, { flushIntervalMs: 100, maxBufferedChars: 300 });
      logger.info('request', { padding: 'x'.repeat(150) });
      expect(writes.info).toHaveLength(0);
      logger.info('request', { padding: 'y'.repeat(150) });
      expect(writes.info).toHaveLength(1);
      expect(parseLines(writes.info)).toHaveLength(2);
    });

    it('are written by flush(), and nothing is written twice', () => {
      const { writes, sinks } = recordingSinks();
      const logger = createJsonLogger(sinks, { flushIntervalMs: 100, maxBufferedChars: 1e6 });
      logger.info('one');
      logger.flush();
      expect(parseLines(writes.info).map((line) => line.message)).toEqual(['one']);
      jest.advanceTimersByTime(1000);
      logger.flush();
      expect(writes.info).toHaveLength(1);
    });

    it('carry an ISO 8601 UTC time', () => {
      const { writes, sinks } = recordingSinks();
      const logger = createJsonLogger(sinks, { flushIntervalMs: 1, maxBufferedChars: 1e6 });
      logger.info('request');
      logger.flush();
      expect(parseLines(writes.info)[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
  });

  describe('warnings and errors', () => {
    it('are written at once, to the problems sink', () => {
      const { writes, sinks } = recordingSinks();
      const logger = createJsonLogger(sinks, { flushIntervalMs: 100, maxBufferedChars: 1e6 });
      logger.warn('careful', { what: 'x' });
      logger.error('broken', { error: 'stack' });
      expect(writes.info).toEqual([]);
      expect(parseLines(writes.problems)).toEqual([
        { time: expect.any(String), level: 'warn', message: 'careful', what: 'x' },
        { time: expect.any(String), level: 'error', message: 'broken', error: 'stack' },
      ]);
    });
  });
});

/** A stream that keeps what is written, holds `writableLength` as told, and fails on demand. */
class FakeStream implements LogStream {
  written: string[] = [];
  writableLength = 0;
  throwOnWrite = false;
  private listeners: Array<(error: NodeJS.ErrnoException) => void> = [];

  write(chunk: string): boolean {
    if (this.throwOnWrite) throw Object.assign(new Error('write EBADF'), { code: 'EBADF' });
    this.written.push(chunk);
    return true;
  }

  on(_event: 'error', listener: (error: NodeJS.ErrnoException) => void): this {
    this.listeners.push(listener);
    return this;
  }

  fail(code: string): void {
    for (const listener of this.listeners) listener(Object.assign(new Error(code), { code }));
  }
}

describe('streamSinks', () => {
  function setUp(maxQueuedChars = 1_000) {
    const stdout = new FakeStream();
    const stderr = new FakeStream();
    const sinks = streamSinks(stdout, stderr, maxQueuedChars);
    return { stdout, stderr, sinks };
  }

  it('write info to stdout and problems to stderr', () => {
    const { stdout, stderr, sinks } = setUp();
    sinks.info('{"level":"info"}\n');
    sinks.problems('{"level":"error"}\n');
    expect(stdout.written).toEqual(['{"level":"info"}\n']);
    expect(stderr.written).toEqual(['{"level":"error"}\n']);
  });

  it('bound what stdout holds unread by 1 MiB by default', () => {
    const stdout = new FakeStream();
    const sinks = streamSinks(stdout, new FakeStream());
    expect(MAX_QUEUED_LOG_CHARS).toBe(1024 * 1024);
    stdout.writableLength = MAX_QUEUED_LOG_CHARS - 10;
    sinks.info('012345678\n');
    sinks.info('0123456789\n');
    expect(stdout.written).toEqual(['012345678\n']);
  });

  describe('when stdout fails with EPIPE, its reader gone', () => {
    it('say so once on stderr, and write to stdout no more', () => {
      const { stdout, stderr, sinks } = setUp();
      sinks.info('one\n');
      stdout.fail('EPIPE');
      stdout.fail('EPIPE');
      sinks.info('two\n');
      sinks.info('three\n');
      expect(stdout.written).toEqual(['one\n']);
      expect(parseLines(stderr.written)).toEqual([
        {
          time: expect.any(String),
          level: 'warn',
          message: 'stdout is closed (EPIPE): lines meant for it are lost',
        },
      ]);
    });

    it('still write problems to stderr', () => {
      const { stdout, stderr, sinks } = setUp();
      stdout.fail('EPIPE');
      sinks.problems('{"level":"error"}\n');
      expect(stderr.written.at(-1)).toBe('{"level":"error"}\n');
    });
  });

  describe('when stderr fails', () => {
    it('say so once on stdout, and never throw', () => {
      const { stdout, stderr, sinks } = setUp();
      stderr.fail('EPIPE');
      stderr.fail('EPIPE');
      expect(() => sinks.problems('{"level":"error"}\n')).not.toThrow();
      expect(stderr.written).toEqual([]);
      expect(parseLines(stdout.written).map((line) => line.message)).toEqual([
        'stderr is closed (EPIPE): lines meant for it are lost',
      ]);
    });
  });

  describe('when both fail', () => {
    it('write nothing anywhere, and never throw', () => {
      const { stdout, stderr, sinks } = setUp();
      stdout.fail('EPIPE');
      stderr.fail('EPIPE');
      const before = [stdout.written.length, stderr.written.length];
      expect(() => {
        sinks.info('one\n');
        sinks.problems('two\n');
      }).not.toThrow();
      expect([stdout.written.length, stderr.written.length]).toEqual(before);
    });
  });

  describe('when a write throws at once', () => {
    it('take it as a failed stream: said once, never thrown', () => {
      const { stdout, stderr, sinks } = setUp();
      stdout.throwOnWrite = true;
      expect(() => sinks.info('one\n')).not.toThrow();
      expect(() => sinks.info('two\n')).not.toThrow();
      expect(parseLines(stderr.written).map((line) => line.message)).toEqual([
        'stdout is closed (EBADF): lines meant for it are lost',
      ]);
    });
  });

  describe('while stdout holds more than the bound unread', () => {
    it('drop what would pass the bound, and say so once on stderr', () => {
      const { stdout, stderr, sinks } = setUp(1_000);
      stdout.writableLength = 990;
      sinks.info('0123456789\n');
      stdout.writableLength = 2_000;
      sinks.info('a\nb\n');
      sinks.info('c\n');
      expect(stdout.written).toEqual([]);
      expect(parseLines(stderr.written)).toEqual([
        {
          time: expect.any(String),
          level: 'warn',
          message: 'stdout is not being read: log lines are dropped until it is',
          queued_chars: 990,
        },
      ]);
    });

    it('write a chunk that reaches the bound exactly', () => {
      const { stdout, stderr, sinks } = setUp(1_000);
      stdout.writableLength = 990;
      sinks.info('012345678\n');
      expect(stdout.written).toEqual(['012345678\n']);
      expect(stderr.written).toEqual([]);
    });

    it('go on dropping until it holds half the bound, then say how many lines were lost', () => {
      const { stdout, stderr, sinks } = setUp(1_000);
      stdout.writableLength = 1_000;
      sinks.info('a\nb\n');
      stdout.writableLength = 501;
      sinks.info('c\n');
      stdout.writableLength = 500;
      sinks.info('d\n');
      expect(stdout.written).toEqual(['d\n']);
      expect(parseLines(stderr.written)).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^stdout is not being read/) }),
        {
          time: expect.any(String),
          level: 'warn',
          message: 'stdout is read again: log lines were dropped while it was not',
          dropped_lines: 3,
        },
      ]);
    });

    it('say so again, once, if it falls behind again', () => {
      const { stdout, stderr, sinks } = setUp(1_000);
      for (const queued of [1_000, 1_000, 0, 1_000, 1_000]) {
        stdout.writableLength = queued;
        sinks.info('line\n');
      }
      expect(parseLines(stderr.written).map((line) => line.message)).toEqual([
        'stdout is not being read: log lines are dropped until it is',
        'stdout is read again: log lines were dropped while it was not',
        'stdout is not being read: log lines are dropped until it is',
      ]);
    });
  });

  describe('under a JSON logger', () => {
    it('drop whole batches of info lines, and keep every warning', () => {
      jest.useFakeTimers();
      try {
        const { stdout, stderr, sinks } = setUp(1_000);
        const logger = createJsonLogger(sinks, { flushIntervalMs: 100, maxBufferedChars: 1e6 });
        stdout.writableLength = 5_000;
        logger.info('request');
        logger.info('request');
        logger.flush();
        logger.warn('careful');
        stdout.writableLength = 0;
        logger.info('request');
        logger.flush();
        expect(parseLines(stdout.written).map((line) => line.message)).toEqual(['request']);
        expect(parseLines(stderr.written)).toEqual([
          expect.objectContaining({ message: expect.stringMatching(/^stdout is not being read/) }),
          expect.objectContaining({ level: 'warn', message: 'careful' }),
          expect.objectContaining({ dropped_lines: 2 }),
        ]);
      } finally {
        jest.useRealTimers();
      }
    });
  });
});

describe('createJsonLogger with its default sinks', () => {
  it('listen for errors on stdout and stderr once, however many loggers the process makes', () => {
    const stdoutBefore = process.stdout.listenerCount('error');
    const stderrBefore = process.stderr.listenerCount('error');
    jest.isolateModules(() => {
      // A fresh copy of the module: its sinks are made on first use.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads it anew
      const fresh = require('../../server/src/logger') as typeof LoggerModule;
      for (let logger = 0; logger < 20; logger += 1) fresh.createJsonLogger();
    });
    expect(process.stdout.listenerCount('error') - stdoutBefore).toBe(1);
    expect(process.stderr.listenerCount('error') - stderrBefore).toBe(1);
  });
});

describe('redactPath', () => {
  it('drops the query string', () => {
    expect(redactPath('/validate?token=eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe('/validate');
  });

  it('replaces long opaque segments and keeps route names', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXZhbHVl';
    expect(redactPath(`/token/${token}/extra`)).toBe('/token/[redacted]/extra');
    expect(redactPath('/validate')).toBe('/validate');
    expect(redactPath('/')).toBe('/');
  });
});
