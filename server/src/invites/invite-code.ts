// Invite codes: short enough to read out and type, yet unguessable. 16 letters from an
// alphabet without look-alikes (no i, l, o: they pass for 1, 1 and 0), shown as four groups
// of four (`kfmw-ptra-hxce-bnqd`): 16 × log2(23) = 72 random bits. Typed codes are read
// loosely (any case, spaces or dashes anywhere). The store keeps only a code's SHA-256: a
// copy of the store hands out no invite, and with 72 random bits a hash cannot be walked
// back by trying codes. A leaf module: it imports nothing of ours.
import { createHash, randomInt } from 'node:crypto';

/** The letters of a code: a to z without i, l and o. */
export const INVITE_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz';

/** Letters in a code. */
export const INVITE_CODE_LENGTH = 16;

/** Letters per group as the code is shown. */
const GROUP_LENGTH = 4;

/** A new code, as shown: four groups of four letters joined by dashes. */
export function generateInviteCode(): string {
  let letters = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i += 1) {
    // randomInt draws without modulo bias, from the operating system's CSPRNG.
    letters += INVITE_CODE_ALPHABET[randomInt(INVITE_CODE_ALPHABET.length)];
  }
  return letters.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))?.join('-') ?? letters;
}

/**
 * A code as typed, reduced to its letters in lower case; anything but ASCII letters (spaces,
 * dashes, dots) is dropped. What comes out may still be no code at all.
 */
export function normalizeInviteCode(typed: string): string {
  return typed.toLowerCase().replace(/[^a-z]/g, '');
}

/** The hash the store keeps of a code (normalized first), in hex. */
export function hashInviteCode(code: string): string {
  return createHash('sha256').update(normalizeInviteCode(code)).digest('hex');
}
