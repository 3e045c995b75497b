import { createJsonLogger, redactPath } from '../../server/src/logger';

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
