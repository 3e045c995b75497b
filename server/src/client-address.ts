// The client's IP address, as the rate limit keys anonymous callers and the access log
// shows them. With TRUST_PROXY, Express takes it from X-Forwarded-For, which whoever sent
// the request may have written: `010.9.9.9`, `10.9.9.9:1234` and `[2001:db8::1]` each got a
// budget of their own, and any text up to 16 KB became a key. Here every address is put in
// one canonical spelling, and anything that is not an address is not believed.
import type { Request } from 'express';
import { isIP } from 'node:net';

/** `[v6]` or `[v6]:port`, as some proxies write IPv6 addresses. */
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;
/** `a.b.c.d:port`, as some proxies append the client's port. */
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`), which dual-stack sockets report. */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
/** The same in hex (`::ffff:a00:1`), as the URL parser writes it. */
const IPV4_MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One canonical spelling of an IP address (IPv4 dotted, IPv6 compressed and lower case,
 * IPv4-mapped IPv6 as IPv4), or undefined for anything that is not an address.
 */
export function normaliseIp(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let text = raw.trim();
  text = BRACKETED.exec(text)?.[1] ?? IPV4_WITH_PORT.exec(text)?.[1] ?? text;
  // A zone (fe80::1%eth0) names an interface of the sender's, not a different client.
  text = text.split('%', 1)[0] ?? '';
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return undefined;
  const mapped = IPV4_MAPPED.exec(text)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return mapped;
  // The URL parser writes IPv6 in its canonical form (RFC 5952), mapped IPv4 in hex too.
  const canonical = new URL(`http://[${text}]`).hostname.slice(1, -1);
  const mappedHex = IPV4_MAPPED_HEX.exec(canonical);
  if (mappedHex !== null) {
    const value =
      (Number.parseInt(mappedHex[1] ?? '', 16) << 16) | Number.parseInt(mappedHex[2] ?? '', 16);
    return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
  }
  return canonical;
}

/** The bits of an IPv6 address that name one client's network: one host usually owns a /56. */
const IPV6_CLIENT_PREFIX_BITS = 56;

/**
 * The key a rate limit counts an address under: an IPv4 address as it is, an IPv6 one
 * (canonical, from normaliseIp) by its /56 network, `2001:db8:abcd:1200::/56`, since one
 * host can pick any of the 2^72 addresses inside it. The same keys express-rate-limit's
 * ipKeyGenerator makes, so that budgets already kept in Redis carry over.
 */
export function budgetAddressOf(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  const network = groups.map((group, index) => {
    const keptBits = Math.min(16, Math.max(0, IPV6_CLIENT_PREFIX_BITS - index * 16));
    const mask = keptBits === 0 ? 0 : (0xffff << (16 - keptBits)) & 0xffff;
    return (Number.parseInt(group, 16) & mask).toString(16);
  });
  return `${new URL(`http://[${network.join(':')}]`).hostname.slice(1, -1)}/${IPV6_CLIENT_PREFIX_BITS}`;
}

/**
 * The address a request comes from: the one Express derived under TRUST_PROXY when it is
 * an address, else the socket's own peer, which no client can choose.
 */
export function clientAddressOf(req: Request): string {
  return normaliseIp(req.ip) ?? normaliseIp(req.socket.remoteAddress) ?? 'unknown';
}
