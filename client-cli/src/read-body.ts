// Reads an answer's body with a cap. A token server's answers are a few kilobytes, but a
// hostile or broken one may stream without end: response.text() would buffer all of it (a
// 100 MB "token" took 690 MB) and the CLI print it. Reading stops past the cap, and the
// connection is closed.

/**
 * The most of one answer request-token reads, in bytes: 4 MiB. A token with the most metadata
 * LiveKit allows (MAX_METADATA_BYTES=524288) of JSON, escaped in the claims and then in
 * base64url, stays under 2 MiB; the server's default of 64 KiB makes tokens of under 200 KiB.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The body of `response` as UTF-8 text (a byte order mark dropped, as response.text() does),
 * or undefined when it holds more than `maxBytes`: then no more than `maxBytes` plus one chunk
 * was held, and the stream is cancelled, which closes the connection.
 */
export async function readCappedText(
  response: Response,
  maxBytes = MAX_ANSWER_BYTES,
): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytesRead = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytesRead += value.byteLength;
    if (bytesRead > maxBytes) {
      // Nothing more is wanted from this answer; a failure to cancel changes nothing.
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
