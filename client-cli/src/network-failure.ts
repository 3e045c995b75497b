// Why no answer came from the token server: a timeout, a TLS handshake with a server that does
// not speak TLS (https:// to a plain-HTTP port), or anything else, such as a refused connection
// or a DNS failure. Node's fetch rejects with a bare "fetch failed"; what happened is in the
// error's `cause` chain.
import { isRecord } from './responses';

/** What kind of network failure it was; the explanation depends on it. */
export type NetworkFailureKind = 'timeout' | 'tls-handshake' | 'other';

/** A failed fetch, classified. */
export interface NetworkFailure {
  kind: NetworkFailureKind;
  /**
   * What happened, in one line: for a TLS handshake, Node's error code (such as
   * ERR_SSL_WRONG_VERSION_NUMBER), never OpenSSL's multi-line text.
   */
  reason: string;
}

/**
 * The codes Node gives when a TLS client gets an answer that is not TLS: a plain-HTTP server
 * answers the ClientHello with "HTTP/1.1 400", whose first bytes OpenSSL reads as a record
 * of an unknown version or an impossible length. EPROTO is how older Node versions and some
 * socket paths report the same.
 */
const NOT_TLS_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'EPROTO',
]);

/** OpenSSL's words for the same, for errors that carry no code. */
const NOT_TLS_MESSAGE = /wrong version number|packet length too long/i;

/** Far more links than Node's errors have; it only stops a cause chain that loops. */
const MAX_CAUSE_DEPTH = 10;

/** Classifies why `fetch` rejected; `timeoutMs` is the timeout the request was given. */
export function classifyNetworkFailure(error: unknown, timeoutMs: number): NetworkFailure {
  // Duck-typed rather than instanceof: AbortSignal's DOMException and errors from other realms
  // (Node internals, test sandboxes) are not instances of this realm's Error.
  if (isRecord(error) && error.name === 'TimeoutError') {
    return { kind: 'timeout', reason: `no answer within ${timeoutMs / 1000} s` };
  }
  const handshake = causeChain(error).find(isNotTlsAnswer);
  if (handshake !== undefined) {
    const code = isRecord(handshake) && typeof handshake.code === 'string' ? handshake.code : '';
    return { kind: 'tls-handshake', reason: code === '' ? 'TLS handshake failed' : code };
  }
  // Node's fetch rejects with a bare "fetch failed"; the cause says what actually happened.
  const cause = isRecord(error) ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.message === 'string') return other(cause.message);
  if (isRecord(error) && typeof error.message === 'string') return other(error.message);
  return other(String(error));
}

/** Whether one error of a cause chain says the TLS handshake met a server that is not TLS. */
function isNotTlsAnswer(link: unknown): boolean {
  if (!isRecord(link)) return false;
  if (typeof link.code === 'string' && NOT_TLS_CODES.has(link.code)) return true;
  return typeof link.message === 'string' && NOT_TLS_MESSAGE.test(link.message);
}

/** `error`, its cause, the cause's cause and so on, each once. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < MAX_CAUSE_DEPTH;) {
    if (chain.includes(link)) break;
    chain.push(link);
    link = isRecord(link) ? link.cause : undefined;
  }
  return chain;
}

function other(reason: string): NetworkFailure {
  return { kind: 'other', reason: reason.trim() };
}
