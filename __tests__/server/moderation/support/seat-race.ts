// The last seats of one room, claimed at once by several processes (store-race.ts).
import type { SeatClaim } from '../../../../server/src/moderation/store';
import { raceStoreCalls, type RaceTarget } from './store-race';

/** One identity's answer, or the error its claim failed with. */
export interface RaceAnswer {
  identity: string;
  claim?: SeatClaim;
  error?: string;
}

/**
 * Runs one process per group of identities, each claiming a seat for each of its identities
 * at once, releases them together, and answers every claim once all have exited.
 */
export async function raceForSeats(
  target: RaceTarget,
  groups: string[][],
  room: string,
  cap: number,
): Promise<RaceAnswer[]> {
  const answers = await raceStoreCalls(
    target,
    'claimSeat',
    groups.map((identities) =>
      identities.map((identity) => [
        {
          room,
          identity,
          maxParticipants: cap,
          holdMs: 60_000,
          duplicateIdentity: 'replace',
          nowMs: 1_700_000_000_000,
        },
      ]),
    ),
  );
  return groups.flatMap((identities, group) =>
    identities.map((identity, index) => {
      const answer = answers[group]?.[index];
      return answer?.error !== undefined
        ? { identity, error: answer.error }
        : { identity, claim: answer?.value as SeatClaim };
    }),
  );
}

/** 20 distinct identities in 5 processes of 4. */
export const RACING_GROUPS = Array.from({ length: 5 }, (_, group) =>
  Array.from({ length: 4 }, (_, index) => `racer-${group}-${index}`),
);
