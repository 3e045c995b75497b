import { createHash } from 'node:crypto';
import {
  generateInviteCode,
  hashInviteCode,
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  normalizeInviteCode,
} from '../../../server/src/invites/invite-code';

describe('generateInviteCode', () => {
  it('makes four groups of four letters, without look-alikes, 72 bits or more', () => {
    expect(INVITE_CODE_ALPHABET).not.toMatch(/[ilo]/);
    expect(INVITE_CODE_LENGTH * Math.log2(INVITE_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(64);
    for (let i = 0; i < 200; i += 1) {
      expect(generateInviteCode()).toMatch(/^[a-hjkmnp-z]{4}(-[a-hjkmnp-z]{4}){3}$/);
    }
  });

  it('uses every letter of the alphabet, and repeats no code', () => {
    const codes = Array.from({ length: 2000 }, () => generateInviteCode());
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(INVITE_CODE_ALPHABET.length);
  });
});

describe('normalizeInviteCode and hashInviteCode', () => {
  it('read a code however it is typed, and hash it as typed to the same hash', () => {
    const code = 'kfmw-ptra-hxce-bnqd';
    for (const typed of [
      'KFMW-PTRA-HXCE-BNQD',
      'kfmw ptra hxce bnqd',
      ' kfmwptrahxcebnqd ',
      'kf.mw-ptra_hxce bnqd',
    ]) {
      expect(normalizeInviteCode(typed)).toBe('kfmwptrahxcebnqd');
      expect(hashInviteCode(typed)).toBe(hashInviteCode(code));
    }
  });

  it('keeps only the SHA-256 of the normalized code, in hex', () => {
    expect(hashInviteCode('kfmw-ptra-hxce-bnqd')).toBe(
      createHash('sha256').update('kfmwptrahxcebnqd').digest('hex'),
    );
    expect(hashInviteCode('kfmw-ptra-hxce-bnqd')).not.toBe(hashInviteCode('kfmw-ptra-hxce-bnqe'));
  });
});
