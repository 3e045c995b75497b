// The last seats of a room, claimed at once by several processes on one SQLite file:
// exactly as many granted as there were seats, never more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteModerationStore } from '../../../server/src/moderation/sqlite-store';
import { RACING_GROUPS, raceForSeats } from './support/seat-race';

const CAP = 10;
const PRESENT = 7;

describe('five processes claiming the last 3 seats for 20 identities on one SQLite file', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'seat-race-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('grants exactly 3, and answers full with 10 seats to the 17 others', async () => {
    const store = openSqliteModerationStore(dataDir);
    for (let index = 0; index < PRESENT; index += 1) {
      await store.participantJoined('stage', `present-${index}`, 1);
    }
    await store.close();

    const answers = await raceForSeats({ kind: 'sqlite', dataDir }, RACING_GROUPS, 'stage', CAP);

    expect(answers.filter((answer) => answer.error !== undefined)).toEqual([]);
    expect(answers).toHaveLength(20);
    const granted = answers.filter((answer) => answer.claim?.outcome === 'granted');
    expect(granted).toHaveLength(CAP - PRESENT);
    expect(
      granted
        .map((answer) => answer.claim?.outcome === 'granted' && answer.claim.seats)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual([8, 9, 10]);
    const full = answers.filter((answer) => answer.claim?.outcome === 'full');
    expect(full.map((answer) => answer.claim)).toEqual(
      Array.from({ length: 17 }, () => ({ outcome: 'full', seats: CAP })),
    );
    const after = openSqliteModerationStore(dataDir);
    try {
      const occupancy = await after.occupancy('stage', 1_700_000_000_000);
      expect(occupancy.held.sort()).toEqual(granted.map((answer) => answer.identity).sort());
    } finally {
      await after.close();
    }
  });
});
