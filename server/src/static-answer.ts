// Answers whose body is the same for every request (the OpenAPI document, the reference's
// script and styles): held in memory once, with their gzip beside them, so that a thousand
// requests for a 1.7 MB script cost one copy of it, not a thousand, and a browser that
// accepts gzip gets a third of the bytes. ETags let a browser revalidate with a 304.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** One body, ready to send as it is or gzipped. */
export interface StaticBody {
  contentType: string;
  /** The body as it is. */
  plain: Buffer;
  /** The same, gzipped once. */
  gzip: Buffer;
  /** A strong ETag of the body: a hash of its bytes, the same in every instance. */
  etag: string;
  /** The first 10 characters of the hash, for URLs that change when the body does. */
  hash: string;
}

/** Below this many bytes gzip saves too little to be worth a header: sent as it is. */
const MIN_GZIP_BYTES = 1024;

/** A body held for sending; `gzip` is its gzip when it was made ahead (at build time). */
export function staticBody(contentType: string, plain: Buffer, gzip?: Buffer): StaticBody {
  const digest = createHash('sha256').update(plain).digest('base64url');
  return {
    contentType,
    plain,
    gzip: gzip ?? (plain.length < MIN_GZIP_BYTES ? plain : gzipSync(plain, { level: 9 })),
    etag: `"${digest.slice(0, 27)}"`,
    hash: digest.slice(0, 10),
  };
}

/** Whether an Accept-Encoding header takes gzip: named (or `*`) without `q=0`. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    if (coding.toLowerCase() !== 'gzip' && coding !== '*') return false;
    const quality = parameters.find((parameter) => /^q=/i.test(parameter));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/**
 * Sends a static body: gzipped when the client takes it, 304 when its If-None-Match names
 * the body's ETag, with `cacheControl` as given (`no-cache` to revalidate each time, or a
 * long max-age for URLs that carry the body's hash).
 */
export function sendStatic(
  req: Request,
  res: Response,
  body: StaticBody,
  cacheControl: string,
): void {
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', body.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', body.contentType);
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === body.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzipped = body.gzip !== body.plain && acceptsGzip(req.get('accept-encoding'));
  const bytes = gzipped ? body.gzip : body.plain;
  if (gzipped) res.setHeader('Content-Encoding', 'gzip');
  res.statusCode = 200;
  res.setHeader('Content-Length', bytes.length);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
