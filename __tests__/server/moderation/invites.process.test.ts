// An invite's last uses, and an admitted guest's one collection, raced for by several
// processes on one SQLite file: as many redeemed as there were uses, one collection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteModerationStore } from '../../../server/src/moderation/sqlite-store';
import {
  FIVE_USE_INVITE,
  RACE_NOW_MS,
  raceForInviteUses,
  raceToCollect,
  WAITING_GUEST,
} from './support/invite-race';

describe('processes racing on one SQLite file', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'invite-race-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('redeem a 5-use invite 20 times at once: exactly 5 redeemed, uses 1 to 5, 15 used-up', async () => {
    const store = openSqliteModerationStore(dataDir);
    await store.createInvite(FIVE_USE_INVITE);
    await store.close();

    const answers = await raceForInviteUses({ kind: 'sqlite', dataDir });

    expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
    expect(answers).toHaveLength(20);
    const uses = answers.flatMap((answer) =>
      answer.value?.outcome === 'redeemed' ? [answer.value.invite.uses] : [],
    );
    expect(uses.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(answers.filter((answer) => answer.value?.outcome === 'used-up')).toHaveLength(15);
    const after = openSqliteModerationStore(dataDir);
    try {
      expect((await after.inviteById(FIVE_USE_INVITE.id))?.uses).toBe(5);
    } finally {
      await after.close();
    }
  });

  it('collect an admitted guest’s details 20 times at once: exactly one true', async () => {
    const store = openSqliteModerationStore(dataDir);
    await store.addLobbyEntry(WAITING_GUEST);
    const { id, room } = WAITING_GUEST;
    await store.decideLobbyEntry(id, room, 'admitted', 'api-key:key-1', RACE_NOW_MS);
    await store.close();

    const answers = await raceToCollect({ kind: 'sqlite', dataDir });

    expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
    expect(answers).toHaveLength(20);
    expect(answers.filter((answer) => answer.value === true)).toHaveLength(1);
    expect(answers.filter((answer) => answer.value === false)).toHaveLength(19);
  });
});
