// The largest bodies the routes read, from the configuration: large enough for the largest
// request the limits allow, and no larger, so that a huge body is refused before it is read.
import type { Config } from '../config';
import { MAX_ATTRIBUTES_BYTES } from '../schemas/fields';

/**
 * Largest accepted token request body: twice the metadata and attributes allowed, for
 * JSON escaping and agent dispatch; 256 KiB with the default 64 KiB of metadata.
 */
export function tokenBodyLimitBytes(config: Config): number {
  return 2 * (config.maxMetadataBytes + MAX_ATTRIBUTES_BYTES);
}

/** Largest accepted /validate body: room for the largest token the server mints. */
export function validateBodyLimitBytes(config: Config): number {
  return 2 * tokenBodyLimitBytes(config);
}

/** Largest accepted moderation body (a ban, a room's cap): a few fields of short text. */
export function moderationBodyLimitBytes(): number {
  return 16 * 1024;
}
