import { describeConfigBySection, loadConfig } from '../../../server/src/config';
import { describeMetrics, METRICS_VARIABLES } from '../../../server/src/config/metrics';
import { problemsOf } from '../../support/config';

describe('loadConfig for metrics', () => {
  it('serves metrics on 9464 by default, on loopback', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
  });

  // The API is bound to every interface to be reached; metrics must not follow it there.
  it.each(['0.0.0.0', '::', '192.0.2.10'])(
    'stays on loopback with TOKEN_SERVER_HOST=%s',
    (host) => {
      expect(loadConfig({ TOKEN_SERVER_HOST: host }).metricsHost).toBe('127.0.0.1');
    },
  );

  it.each(['0.0.0.0', '::', '10.1.2.3', 'localhost'])('takes METRICS_HOST=%s', (host) => {
    expect(loadConfig({ METRICS_HOST: host }).metricsHost).toBe(host);
  });

  it('takes METRICS_PORT=off as no metrics listener', () => {
    expect(loadConfig({ METRICS_PORT: 'off' }).metricsPort).toBeUndefined();
  });

  it.each([
    ['METRICS_PORT', '70000'],
    ['METRICS_PORT', 'on'],
    ['METRICS_HOST', 'not an address'],
    ['METRICS_HOST', 'metrics.example.com'],
  ])('refuses %s=%s', (name, raw) => {
    expect(problemsOf({ [name]: raw })).toEqual([
      expect.stringMatching(new RegExp(`^${name} must`)),
    ]);
  });
});

describe('describeMetrics', () => {
  it('names the port and the interface, loopback by default', () => {
    expect(describeMetrics(loadConfig({}))).toEqual({
      metrics_port: 9464,
      metrics_host: '127.0.0.1',
    });
  });

  it('names the interface set', () => {
    expect(describeMetrics(loadConfig({ METRICS_HOST: '0.0.0.0' }))).toMatchObject({
      metrics_host: '0.0.0.0',
    });
  });

  it('says only off when there is no listener, whose interface would mean nothing', () => {
    expect(describeMetrics(loadConfig({ METRICS_PORT: 'off', METRICS_HOST: '0.0.0.0' }))).toEqual({
      metrics_port: 'off',
    });
  });

  it('is the start-up report’s metrics section', () => {
    const sections = describeConfigBySection(loadConfig({ TOKEN_SERVER_HOST: '0.0.0.0' }));
    expect(sections.find(({ section }) => section === 'metrics')?.settings).toEqual({
      metrics_port: 9464,
      metrics_host: '127.0.0.1',
    });
  });
});

describe('METRICS_VARIABLES', () => {
  it('gives METRICS_HOST’s default as loopback, not the server’s host', () => {
    const host = METRICS_VARIABLES.find(({ name }) => name === 'METRICS_HOST');
    expect(host?.description).toMatch(/default 127\.0\.0\.1/);
    expect(host?.description).not.toMatch(/server's host/);
  });
});
