// The Kubernetes manifests in deploy/kubernetes/, parsed: what they set is what the server
// reads, secrets come from the Secret, probes and ports match the server's, and the
// configuration they give is one the server's own loadConfig accepts in production.
// Nothing here talks to a cluster (none can run on this machine).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/config';
import { DEFAULT_HTTP_TIMEOUTS } from '../../server/src/http-server';
import { problemsOf } from '../support/config';
import { REPO_ROOT } from '../support/processes';
import {
  EVERY_INTERFACE,
  isSecretVariable,
  largestBodyBytes,
  LIVENESS_PATH,
  longestStopMs,
  METRICS_DEFAULT_PORT,
  metricsPort,
  notedSettings,
  PRODUCTION_SECRETS,
  READINESS_PATH,
  readRepoFile,
  readYamlDocuments,
  SERVER_VARIABLES,
  serverPort,
  sizeBytes,
} from './support/server-facts';

/** The parts of Kubernetes objects these tests read. */
interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** The parts of a networking.k8s.io/v1 Ingress's spec these tests read. */
interface IngressBackend {
  service?: { name: string; port: { name?: string; number?: number } };
  resource?: unknown;
}

interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules: Array<{
    host?: string;
    http?: { paths: Array<{ path: string; pathType: string; backend: IngressBackend }> };
  }>;
}

interface ServicePort {
  name: string;
  port: number;
  targetPort: string | number;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: unknown };
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  securityContext?: SecurityContext;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}

interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
}

interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    spec: PodSpec;
  };
}

const FOLDER = 'deploy/kubernetes';

/** Every object in the .yaml files of a folder of the repository. */
function objectsIn(folder: string): KubernetesObject[] {
  return readdirSync(join(REPO_ROOT, folder))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => readYamlDocuments(`${folder}/${file}`) as KubernetesObject[]);
}

const objects = objectsIn(FOLDER);
const exampleObjects = objectsIn(`${FOLDER}/examples`);

/** The one object of a kind; fails when there are none or several. */
function only(kind: string, from = objects): KubernetesObject {
  const found = from.filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as KubernetesObject;
}

const deployment = only('Deployment');
const deploymentSpec = deployment.spec as unknown as DeploymentSpec;
const pod = deploymentSpec.template.spec;
const container = pod.containers[0] as Container;
const configMap = only('ConfigMap');
const secretExample = only('Secret', exampleObjects);
const service = only('Service');
const servicePorts = (service.spec as { ports: ServicePort[] }).ports;

/** The environment the ConfigMaps named in envFrom give. */
function configMapEnv(): Record<string, string> {
  const names = (container.envFrom ?? []).map((source) => source.configMapRef?.name);
  expect(names).toContain(configMap.metadata.name);
  return { ...configMap.data };
}

/**
 * The environment a pod gets from a ConfigMap's data and a Secret's, as the kubelet builds
 * it: envFrom first, then env, whose entries win. A secretKeyRef to a key the Secret lacks
 * leaves the variable unset when optional, and otherwise stops the pod from starting
 * (CreateContainerConfigError), here a throw.
 */
function podEnv(
  configData: Record<string, string>,
  secretData: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = { ...configData };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref === undefined) continue;
    expect(ref.name).toBe(secretExample.metadata.name);
    const value = secretData[ref.key];
    if (value !== undefined) env[variable.name] = value;
    else if (ref.optional !== true) {
      throw new Error(`the pod would not start: the Secret has no key ${ref.key}`);
    }
  }
  return env;
}

/** Stand-ins for a real Secret's values, without the keys named. */
function secretsWithout(...keys: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(PRODUCTION_SECRETS).filter(([key]) => !keys.includes(key)),
  );
}

/** The `# AUTH_X: value` lines of the ConfigMap: what switching to jwt uncomments. */
function commentedAuthSettings(): Record<string, string> {
  const lines =
    readRepoFile(`${FOLDER}/configmap.yaml`).match(/^\s*#\s*AUTH_[A-Z_]+:\s*\S+\s*$/gm) ?? [];
  return Object.assign(
    {},
    ...lines.map((line) => parse(line.replace(/^\s*#\s*/, '')) as Record<string, string>),
  );
}

/** The ConfigMap switched to jwt as its comment says: AUTH_MODE, and the AUTH_* lines. */
function jwtConfigMapData(): Record<string, string> {
  return { ...configMapEnv(), ...commentedAuthSettings(), AUTH_MODE: 'jwt' };
}

/** The container's port with this name or number. */
function containerPort(port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find(({ name }) => name === port)?.containerPort;
}

/** A Kubernetes quantity (100m, 1, 128Mi) as a number of cores or bytes. */
function quantity(value: string): number {
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(value);
  if (!match?.[1]) throw new Error(`unknown quantity ${value}`);
  return Number(match[1]) * (match[2] ? (units[match[2]] ?? NaN) : 1);
}

describe('deploy/kubernetes', () => {
  it('holds a Deployment, Service, ConfigMap and PodDisruptionBudget, and no Secret', () => {
    expect(objects.map(({ kind }) => kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service'].sort(),
    );
  });

  describe('Deployment', () => {
    it('runs two replicas of one container', () => {
      expect(deploymentSpec.replicas).toBe(2);
      expect(pod.containers).toHaveLength(1);
    });

    it('selects its own pods', () => {
      expect(deploymentSpec.template.metadata.labels).toMatchObject(
        deploymentSpec.selector.matchLabels,
      );
    });

    it('sets only variables the server reads', () => {
      const names = [
        ...Object.keys(configMapEnv()),
        ...(container.env ?? []).map(({ name }) => name),
      ];
      expect(names.filter((name) => !SERVER_VARIABLES.has(name))).toEqual([]);
    });

    it('takes every secret from the Secret through secretKeyRef, never a literal', () => {
      const secretEnv = (container.env ?? []).filter(({ name }) => isSecretVariable(name));
      expect(secretEnv.map(({ name }) => name)).toEqual(
        expect.arrayContaining(['LIVEKIT_API_SECRET', 'TOKEN_SERVER_API_KEYS']),
      );
      for (const variable of secretEnv) {
        expect(variable.value).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef?.name).toBe(secretExample.metadata.name);
      }
      expect(Object.keys(configMapEnv()).filter(isSecretVariable)).toEqual([]);
      expect((container.envFrom ?? []).filter((source) => source.secretRef)).toEqual([]);
    });

    it('needs only keys the example Secret has', () => {
      const required = (container.env ?? [])
        .map(({ valueFrom }) => valueFrom?.secretKeyRef)
        .filter((ref) => ref !== undefined && ref.optional !== true)
        .map((ref) => ref?.key);
      expect(Object.keys(secretExample.stringData ?? {})).toEqual(expect.arrayContaining(required));
    });

    it('gives a configuration the server accepts in production', () => {
      const config = loadConfig(podEnv(configMapEnv(), PRODUCTION_SECRETS));
      expect(config.production).toBe(true);
      expect(config.auth.mode).toBe('api-key');
      expect(config.trustProxy).not.toBe(true);
    });

    it('starts no pod whose Secret lacks the LiveKit credentials', () => {
      for (const key of ['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET']) {
        expect(() => podEnv(configMapEnv(), secretsWithout(key))).toThrow(
          `the pod would not start: the Secret has no key ${key}`,
        );
      }
    });

    it('in api-key mode, refuses to start without TOKEN_SERVER_API_KEYS, an optional key', () => {
      const env = podEnv(configMapEnv(), secretsWithout('TOKEN_SERVER_API_KEYS'));
      expect(env.TOKEN_SERVER_API_KEYS).toBeUndefined();
      expect(problemsOf(env)).toEqual([
        expect.stringMatching(/^TOKEN_SERVER_API_KEYS \(or TOKEN_SERVER_API_KEYS_FILE\) must list/),
      ]);
    });

    describe('switched to jwt in the ConfigMap alone, as its comment says', () => {
      it('has the AUTH_* lines to uncomment', () => {
        expect(Object.keys(commentedAuthSettings()).sort()).toEqual(
          ['AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWKS_URL'].sort(),
        );
      });

      it('gives a configuration the server accepts in production, with no TOKEN_SERVER_API_KEYS', () => {
        const env = podEnv(jwtConfigMapData(), secretsWithout('TOKEN_SERVER_API_KEYS'));
        expect(env.TOKEN_SERVER_API_KEYS).toBeUndefined();
        const config = loadConfig(env);
        expect(config.production).toBe(true);
        expect(config.auth).toMatchObject({
          mode: 'jwt',
          jwksUrl: commentedAuthSettings().AUTH_JWKS_URL,
          issuer: commentedAuthSettings().AUTH_ISSUER,
          audience: commentedAuthSettings().AUTH_AUDIENCE,
          jwtSecret: undefined,
        });
      });

      it('takes an HS256 login secret from the Secret’s AUTH_JWT_SECRET instead of a JWKS', () => {
        const withoutJwks = Object.fromEntries(
          Object.entries(jwtConfigMapData()).filter(([name]) => name !== 'AUTH_JWKS_URL'),
        );
        const jwtSecret = 'deploy-test-hs256-login-secret-of-40-chars';
        const env = podEnv(withoutJwks, {
          ...secretsWithout('TOKEN_SERVER_API_KEYS'),
          AUTH_JWT_SECRET: jwtSecret,
        });
        expect(loadConfig(env).auth).toMatchObject({ mode: 'jwt', jwksUrl: undefined, jwtSecret });
      });

      it('refuses a JWKS and an HS256 secret together', () => {
        const env = podEnv(jwtConfigMapData(), {
          ...PRODUCTION_SECRETS,
          AUTH_JWT_SECRET: 'deploy-test-hs256-login-secret-of-40-chars',
        });
        expect(problemsOf(env)).toEqual([
          expect.stringMatching(/^AUTH_MODE=jwt needs exactly one of AUTH_JWKS_URL/),
        ]);
      });
    });

    it('listens on the port the container declares, and metrics on theirs', () => {
      const env = configMapEnv();
      expect(containerPort('http')).toBe(serverPort(env));
      expect(containerPort('metrics')).toBe(metricsPort(env));
    });

    it('serves metrics on every interface of the pod, on the port the scraper is told', () => {
      const config = loadConfig({ ...configMapEnv(), ...PRODUCTION_SECRETS });
      expect(configMapEnv().METRICS_HOST).toBeDefined();
      expect(EVERY_INTERFACE).toContain(config.metricsHost);
      const annotations = deploymentSpec.template.metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/port']).toBe(String(config.metricsPort));
      expect(containerPort('metrics')).toBe(config.metricsPort);
    });

    it(`probes liveness at ${LIVENESS_PATH} and readiness at ${READINESS_PATH}, on the API port`, () => {
      expect(container.livenessProbe?.httpGet?.path).toBe(LIVENESS_PATH);
      expect(container.readinessProbe?.httpGet?.path).toBe(READINESS_PATH);
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect(containerPort(probe?.httpGet?.port ?? '')).toBe(serverPort(configMapEnv()));
      }
    });

    it('gives the server longer than its drain and in-flight grace to stop, with no preStop', () => {
      const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
      expect(graceMs).toBeGreaterThan(longestStopMs(configMapEnv()));
      expect(container.lifecycle?.preStop).toBeUndefined();
    });

    it('runs as a non-root user, read-only, unprivileged and without capabilities', () => {
      const context = { ...pod.securityContext, ...container.securityContext };
      expect(context.runAsNonRoot).toBe(true);
      // Numeric: the image's USER is a name, which runAsNonRoot cannot check by itself.
      expect(context.runAsUser).toEqual(expect.any(Number));
      expect(context.runAsUser).not.toBe(0);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.securityContext?.privileged).not.toBe(true);
      expect(container.securityContext?.capabilities?.drop).toContain('ALL');
      expect(container.securityContext?.capabilities?.add ?? []).toEqual([]);
    });

    it('requests and limits CPU and memory, requests within limits', () => {
      const { requests = {}, limits = {} } = container.resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        const requested = requests[resource];
        const limit = limits[resource];
        expect([resource, requested, limit]).toEqual([
          resource,
          expect.any(String),
          expect.any(String),
        ]);
        expect(quantity(requested ?? '')).toBeLessThanOrEqual(quantity(limit ?? ''));
      }
    });

    it('turns off service links, whose variables could collide with the server’s', () => {
      expect(pod.enableServiceLinks).toBe(false);
    });
  });

  describe('Service', () => {
    const spec = service.spec as { selector: Record<string, string>; ports: ServicePort[] };

    it('selects the Deployment’s pods', () => {
      expect(deploymentSpec.template.metadata.labels).toMatchObject(spec.selector);
    });

    it('maps port 80 to the API port', () => {
      const http = spec.ports.find(({ port }) => port === 80);
      expect(containerPort(http?.targetPort ?? '')).toBe(serverPort(configMapEnv()));
    });

    it('names the metrics port `metrics` and maps it to the metrics port', () => {
      const metrics = spec.ports.find(({ name }) => name === 'metrics');
      expect(metrics?.port).toBe(metricsPort(configMapEnv()));
      expect(containerPort(metrics?.targetPort ?? '')).toBe(metricsPort(configMapEnv()));
    });
  });

  describe('PodDisruptionBudget', () => {
    const spec = only('PodDisruptionBudget').spec as {
      minAvailable: number;
      selector: { matchLabels: Record<string, string> };
    };

    it('keeps one pod of the two available', () => {
      expect(spec.minAvailable).toBe(1);
      expect(spec.minAvailable).toBeLessThan(deploymentSpec.replicas);
    });

    it('selects the Deployment’s pods', () => {
      expect(Object.keys(spec.selector.matchLabels).length).toBeGreaterThan(0);
      expect(deploymentSpec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    });
  });

  describe('examples/ingress.yaml', () => {
    const file = `${FOLDER}/examples/ingress.yaml`;
    const ingress = only('Ingress', exampleObjects);
    const spec = ingress.spec as unknown as IngressSpec;
    const annotations =
      (ingress.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    const backends = [
      ...(spec.defaultBackend === undefined ? [] : [spec.defaultBackend]),
      ...spec.rules.flatMap((rule) => rule.http?.paths.map(({ backend }) => backend) ?? []),
    ];
    /** A timeout annotation of ingress-nginx (whole seconds), in milliseconds. */
    const timeoutMs = (name: string) =>
      Number(annotations[`nginx.ingress.kubernetes.io/${name}`]) * 1000;

    it('is for ingress-nginx, in networking.k8s.io/v1', () => {
      expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
      expect(spec.ingressClassName).toBe('nginx');
      expect(Object.keys(annotations).length).toBeGreaterThan(0);
      for (const name of Object.keys(annotations)) {
        expect(name).toMatch(/^nginx\.ingress\.kubernetes\.io\//);
      }
    });

    it('routes only to the Service’s API port, by name or number, never to metrics', () => {
      expect(backends.length).toBeGreaterThan(0);
      for (const backend of backends) {
        expect(backend.resource).toBeUndefined();
        expect(backend.service?.name).toBe(service.metadata.name);
        const { name, number } = backend.service?.port ?? {};
        const port = servicePorts.find((entry) => entry.name === name || entry.port === number);
        expect(port?.name).toBe('http');
        expect(containerPort(port?.targetPort ?? '')).toBe(serverPort(configMapEnv()));
        expect(containerPort(port?.targetPort ?? '')).not.toBe(METRICS_DEFAULT_PORT);
      }
      expect(readRepoFile(file)).not.toMatch(/^[^#]*\b(metrics|9464)\b/m);
    });

    it('serves every host over TLS from a Secret, and redirects plain HTTP', () => {
      const hosts = spec.rules.map(({ host }) => host);
      expect(hosts.length).toBeGreaterThan(0);
      const tlsHosts = (spec.tls ?? []).flatMap((entry) => {
        expect(entry.secretName).toEqual(expect.any(String));
        return entry.hosts ?? [];
      });
      for (const host of hosts) expect(tlsHosts).toContain(host);
      expect(annotations['nginx.ingress.kubernetes.io/ssl-redirect']).not.toBe('false');
    });

    it('lets through every body the server accepts, so that it answers 413 itself', () => {
      const bodySize = annotations['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '';
      expect(sizeBytes(bodySize)).toBeGreaterThanOrEqual(largestBodyBytes());
    });

    it('waits for the server’s answer longer than the server may take to give it', () => {
      // A whole request within the server's budget, checked every interval, then at worst
      // one fetch of the login provider's keys.
      const receiveMs =
        DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs + DEFAULT_HTTP_TIMEOUTS.timeoutCheckIntervalMs;
      const jwt = loadConfig(podEnv(jwtConfigMapData(), secretsWithout('TOKEN_SERVER_API_KEYS')));
      const jwksTimeoutMs = jwt.auth.mode === 'jwt' ? jwt.auth.jwksTimeoutMs : NaN;
      expect(timeoutMs('proxy-read-timeout')).toBeGreaterThanOrEqual(receiveMs + jwksTimeoutMs);
      expect(timeoutMs('proxy-send-timeout')).toBeGreaterThanOrEqual(receiveMs);
      expect(timeoutMs('proxy-connect-timeout')).toBeGreaterThan(0);
    });

    it('notes the TRUST_PROXY the ConfigMap sets, one the server accepts in production', () => {
      const notes = notedSettings(readRepoFile(file));
      expect(notes.TRUST_PROXY).toBeDefined();
      expect(notes.TRUST_PROXY).toBe(configMapEnv().TRUST_PROXY);
      const config = loadConfig({ ...podEnv(configMapEnv(), PRODUCTION_SECRETS), ...notes });
      expect(config.trustProxy).toBe(1);
      expect(readRepoFile(file)).toMatch(/Never TRUST_PROXY=true/);
    });
  });

  describe('examples/secret.example.yaml', () => {
    it('says it is an example, and holds placeholders only', () => {
      expect(readRepoFile(`${FOLDER}/examples/secret.example.yaml`)).toMatch(/^# EXAMPLE ONLY/);
      for (const value of Object.values(secretExample.stringData ?? {})) {
        expect(value).toMatch(/REPLACE/);
      }
    });

    it('cannot go live by mistake: the server refuses its placeholder API keys', () => {
      const problems = problemsOf({ ...configMapEnv(), ...secretExample.stringData });
      expect(problems.join('\n')).toContain('TOKEN_SERVER_API_KEYS');
    });
  });
});
