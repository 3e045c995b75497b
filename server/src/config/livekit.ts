// The LiveKit section: the key and secret that sign tokens, the other keys /validate
// accepts (rotation), the LiveKit server's URL, and how long minted tokens live.
import {
  commaOrLineList,
  gotValue,
  NUMBER_CHARACTERS,
  parseUrl,
  read,
  readSecret,
  sectionVariables,
  type ParseContext,
} from './env';
import { withoutCredentials } from '../logger';

/** LiveKit's development credentials, the pair that `livekit-server --dev` accepts. */
export const DEVELOPMENT_API_KEY = 'devkey';
export const DEVELOPMENT_API_SECRET = 'secret';

/** LiveKit servers refuse to start with API secrets shorter than this. */
export const MIN_SECRET_LENGTH = 32;

/** The longest token lifetime we accept, one year in hours: longer is a standing credential. */
export const MAX_TOKEN_EXPIRY_HOURS = 24 * 366;

export const LIVEKIT_VARIABLES = sectionVariables('livekit', [
  { name: 'LIVEKIT_API_KEY', description: 'The LiveKit API key that signs new tokens' },
  { name: 'LIVEKIT_API_SECRET', secret: true, file: true, description: 'Its API secret' },
  {
    name: 'LIVEKIT_KEYS',
    secret: true,
    file: true,
    description: 'Every key /validate accepts, as "key: secret" entries (key rotation)',
  },
  { name: 'LIVEKIT_URL', description: 'The LiveKit server clients connect to' },
  { name: 'TOKEN_EXPIRY_HOURS', description: 'Lifetime of minted tokens, in hours (default 24)' },
]);

/** The LiveKit keys, server and token lifetime. */
export interface LivekitConfig {
  /** The LiveKit API key that signs new tokens: their `iss`. */
  livekitApiKey: string;
  /** Its LiveKit API secret, the HS256 key. Never logged or returned. */
  livekitApiSecret: string;
  /** Every LiveKit key accepted by /validate, API key to secret; includes the signing key. */
  livekitKeys: ReadonlyMap<string, string>;
  /** True when no credentials were given and LiveKit's development pair is in use. */
  usingDevelopmentCredentials: boolean;
  /** The LiveKit server's URL, returned to clients as `server_url`. */
  livekitUrl: string | undefined;
  /** Lifetime of each minted token, in seconds. */
  tokenTtlSeconds: number;
}

const LIVEKIT_URL_SCHEMES = {
  protocols: ['ws:', 'wss:', 'http:', 'https:'],
  description: 'a ws://, wss://, http:// or https:// URL',
};

function parseExpiry(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 24 * 3600;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_TOKEN_EXPIRY_HOURS) {
    problems.push(
      `TOKEN_EXPIRY_HOURS must be a number of hours above 0 and at most ${MAX_TOKEN_EXPIRY_HOURS} ${gotValue(raw, NUMBER_CHARACTERS)}`,
    );
    return 0;
  }
  const seconds = Math.round(hours * 3600);
  if (seconds < 1) {
    problems.push(
      `TOKEN_EXPIRY_HOURS must amount to at least one second ${gotValue(raw, NUMBER_CHARACTERS)}`,
    );
  }
  return seconds;
}

/** Parses LiveKit's `key: secret` list, entries separated by commas or newlines. */
function parseLivekitKeys(raw: string | null | undefined, problems: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  if (raw === undefined || raw === null) return keys;
  commaOrLineList(raw).forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const key = entry.slice(0, Math.max(separator, 0)).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator < 1 || key === '' || secret === '') {
      problems.push(`LIVEKIT_KEYS entry ${index + 1} is not of the form "key: secret"`);
    } else if (keys.has(key)) {
      problems.push(`LIVEKIT_KEYS lists the key ${key} twice`);
    } else {
      keys.set(key, secret);
    }
  });
  return keys;
}

/** The LiveKit key pair that signs, and every pair /validate accepts. */
type LivekitCredentials = Pick<
  LivekitConfig,
  'livekitApiKey' | 'livekitApiSecret' | 'livekitKeys' | 'usingDevelopmentCredentials'
>;

function parseLivekitCredentials(context: ParseContext): LivekitCredentials {
  const { env, production, problems } = context;
  const apiKey = read(env, 'LIVEKIT_API_KEY');
  const keys = parseLivekitKeys(readSecret(context, 'LIVEKIT_KEYS'), problems);
  const givenSecret = readSecret(context, 'LIVEKIT_API_SECRET');
  const listedSecret = apiKey === undefined ? undefined : keys.get(apiKey);
  if (
    typeof givenSecret === 'string' &&
    listedSecret !== undefined &&
    givenSecret !== listedSecret
  ) {
    problems.push(
      `LIVEKIT_KEYS gives the key ${apiKey ?? ''} another secret than LIVEKIT_API_SECRET: make them agree`,
    );
  }
  const apiSecret = givenSecret === undefined ? listedSecret : givenSecret;
  if (apiKey !== undefined && typeof apiSecret === 'string') {
    if (production && apiKey === DEVELOPMENT_API_KEY && apiSecret === DEVELOPMENT_API_SECRET) {
      problems.push(
        'LIVEKIT_API_KEY/LIVEKIT_API_SECRET are the public development pair devkey/secret, which NODE_ENV=production refuses',
      );
    }
    return {
      livekitApiKey: apiKey,
      livekitApiSecret: apiSecret,
      usingDevelopmentCredentials: false,
      livekitKeys: new Map([...keys, [apiKey, apiSecret]]),
    };
  }
  const missing = [
    apiKey === undefined ? 'LIVEKIT_API_KEY' : undefined,
    // null: given but unusable, and already reported.
    apiSecret === undefined ? 'LIVEKIT_API_SECRET' : undefined,
  ].filter((name) => name !== undefined);
  if (production && missing.length > 0) {
    problems.push(`${missing.join(' and ')} must be set when NODE_ENV=production`);
  } else if (missing.length === 1) {
    problems.push(`${missing[0]} must be set too: set both LiveKit credentials, or neither`);
  } else if (keys.size > 0) {
    problems.push('LIVEKIT_API_KEY must name the key of LIVEKIT_KEYS that signs new tokens');
  }
  return {
    livekitApiKey: DEVELOPMENT_API_KEY,
    livekitApiSecret: DEVELOPMENT_API_SECRET,
    usingDevelopmentCredentials: true,
    livekitKeys: new Map([[DEVELOPMENT_API_KEY, DEVELOPMENT_API_SECRET]]),
  };
}

/** Reads the LiveKit section. */
export function parseLivekit(context: ParseContext): LivekitConfig {
  const { env, problems } = context;
  const tokenTtlSeconds = parseExpiry(read(env, 'TOKEN_EXPIRY_HOURS'), problems);
  const rawLivekitUrl = read(env, 'LIVEKIT_URL');
  const livekitUrl =
    rawLivekitUrl === undefined
      ? undefined
      : parseUrl('LIVEKIT_URL', rawLivekitUrl, LIVEKIT_URL_SCHEMES, problems);
  return { ...parseLivekitCredentials(context), livekitUrl, tokenTtlSeconds };
}

/** Start-up warnings about LiveKit settings that work but should not ship. */
export function livekitWarnings(config: LivekitConfig): string[] {
  const warnings: string[] = [];
  if (config.usingDevelopmentCredentials) {
    warnings.push(
      `LIVEKIT_API_KEY and LIVEKIT_API_SECRET are not set: signing with LiveKit's development credentials ${DEVELOPMENT_API_KEY}/${DEVELOPMENT_API_SECRET}, which only a development LiveKit server (livekit-server --dev) accepts. Never use them in production.`,
    );
  } else {
    for (const [key, secret] of config.livekitKeys) {
      if (secret.length < MIN_SECRET_LENGTH) {
        warnings.push(
          `The LiveKit secret of key ${key} is shorter than ${MIN_SECRET_LENGTH} characters; LiveKit servers refuse such secrets. Use a long random secret.`,
        );
      }
    }
  }
  if (config.livekitUrl === undefined) {
    warnings.push(
      'LIVEKIT_URL is not set: POST /connection-details answers 503 until it names your LiveKit server.',
    );
  }
  return warnings;
}

/** The LiveKit settings as printed at start-up: key names, never secrets. */
export function describeLivekit(config: LivekitConfig): Record<string, string | number> {
  return {
    token_expiry_hours: config.tokenTtlSeconds / 3600,
    livekit_api_key: config.livekitApiKey,
    livekit_keys_accepted: [...config.livekitKeys.keys()].join(','),
    livekit_url:
      config.livekitUrl === undefined ? '(not set)' : withoutCredentials(config.livekitUrl),
  };
}
