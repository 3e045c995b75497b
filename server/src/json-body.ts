// Reading a request body as JSON, within a size limit that holds from the first byte:
// a declared Content-Length over the limit is refused before any byte is read, and a
// chunked body is cut off as soon as it passes the limit. express.json (body-parser) read
// a refused body to its end before answering (48 GB of an endless upload in one review),
// and its generic reader cost 23 µs of a token request's CPU; see bench/README.md.
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/** The media type every body must have, when it declares one. */
const JSON_MEDIA_TYPE = 'application/json';

/** Byte order marks and the NUL bytes of UTF-16/32 text, which JSON must not be sent in. */
const UTF8_BOM = [0xef, 0xbb, 0xbf];

function unsupportedMediaType(message: string): HttpError {
  return new HttpError('UNSUPPORTED_MEDIA_TYPE', message);
}

/**
 * Checks Content-Type: absent (Node's own clients send an empty POST that way), or
 * application/json with no charset or a UTF-8 one. Answers the problem, or undefined.
 */
function contentTypeProblem(contentType: string | undefined): HttpError | undefined {
  if (contentType === undefined) return undefined;
  const [mediaType = '', ...parameters] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== JSON_MEDIA_TYPE) {
    return unsupportedMediaType(
      'Send the request body as JSON with Content-Type: application/json.',
    );
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return unsupportedMediaType('The request body must be UTF-8 JSON.');
    }
  }
  return undefined;
}

/**
 * True for text in UTF-16 or UTF-32: a byte order mark other than UTF-8's, or a NUL in
 * the first two bytes, which JSON text in UTF-8 cannot have (RFC 8259 section 8.1).
 */
function isWideEncoding(body: Buffer): boolean {
  const [first, second] = body;
  if ((first === 0xfe && second === 0xff) || (first === 0xff && second === 0xfe)) return true;
  return first === 0x00 || (body.length > 1 && second === 0x00);
}

/** Parses a whole body: an object or an array, as body-parser's strict mode allowed. */
function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  if (isWideEncoding(body)) throw unsupportedMediaType('The request body must be UTF-8 JSON.');
  const hasBom = UTF8_BOM.every((byte, index) => body[index] === byte);
  const text = body.toString('utf8', hasBom ? UTF8_BOM.length : 0);
  const start = /\S/.exec(text)?.[0];
  if (start !== '{' && start !== '[') throw malformedJson();
  try {
    return JSON.parse(text);
  } catch {
    throw malformedJson();
  }
}

function malformedJson(): HttpError {
  return new HttpError('MALFORMED_JSON', 'The request body is not valid JSON.');
}

function payloadTooLarge(limitBytes: number): HttpError {
  return new HttpError('PAYLOAD_TOO_LARGE', `The request body exceeds ${limitBytes} bytes.`);
}

/**
 * Reads a JSON body into `req.body`, refusing more than `limitBytes`. A refusal for size
 * closes the connection after the answer, so the rest of the body is never read.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  return boundedBody(limitBytes, contentTypeProblem, parseJson);
}

/**
 * Reads a body as it came, bytes in a Buffer in `req.body`, within `limitBytes`: for a
 * webhook whose signature covers its exact bytes. The route checks its Content-Type.
 */
export function rawBody(limitBytes: number): RequestHandler {
  return boundedBody(
    limitBytes,
    () => undefined,
    (body) => body,
  );
}

/** The reader both bodies share: the size limit from the first byte, then `parse`. */
function boundedBody(
  limitBytes: number,
  typeProblemOf: (contentType: string | undefined) => HttpError | undefined,
  parse: (body: Buffer) => unknown,
): RequestHandler {
  return (req, res, next) => {
    const typeProblem = typeProblemOf(req.headers['content-type']);
    if (typeProblem !== undefined) {
      next(typeProblem);
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      next(unsupportedMediaType('The request body encoding is not supported.'));
      return;
    }
    const declaredLength = req.headers['content-length'];
    if (declaredLength === undefined && req.headers['transfer-encoding'] === undefined) {
      // No body at all: the fields are checked, and found missing, later.
      next();
      return;
    }
    const refuseTooLarge = () => {
      // The client may still be sending: close rather than read what nobody will use.
      res.setHeader('Connection', 'close');
      next(payloadTooLarge(limitBytes));
    };
    if (declaredLength !== undefined && Number(declaredLength) > limitBytes) {
      refuseTooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    const stopReading = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes > limitBytes) {
        stopReading();
        req.pause();
        refuseTooLarge();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stopReading();
      try {
        req.body = parse(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      } catch (error) {
        next(error);
        return;
      }
      next();
    };
    const onError = () => {
      stopReading();
      next(new HttpError('REQUEST_ABORTED', 'The request was aborted.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
