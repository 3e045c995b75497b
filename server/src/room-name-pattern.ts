// ROOM_NAME_PATTERN, run by RE2JS, a linear-time engine: an operator's pattern such as
// `([a-z0-9]+)*-room` froze the event loop for seconds on a 34-character name under
// JavaScript's backtracking RegExp; RE2 answers in time linear in the name, whatever the
// pattern. The price is RE2's syntax: no backreferences and no lookaround.
import type * as Re2jsModule from 're2js';
import type { RE2JS } from 're2js';

/** A compiled ROOM_NAME_PATTERN. */
export interface RoomNamePattern {
  /** The pattern as the operator wrote it. */
  source: string;
  /** True when the whole room name matches (the pattern is anchored at both ends). */
  test(roomName: string): boolean;
}

/** Compiles a pattern, or answers why RE2 cannot run it. */
export function compileRoomNamePattern(source: string): RoomNamePattern | { problem: string } {
  let compiled: RE2JS;
  try {
    // Loaded here, not at the top: most servers set no ROOM_NAME_PATTERN, and RE2JS costs
    // some 10 ms of every start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RE2JS: engine } = require('re2js') as typeof Re2jsModule;
    compiled = engine.compile(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      problem: `ROOM_NAME_PATTERN is not a valid regular expression for the linear-time engine this server runs it with (${reason}); backreferences such as \\1 and lookarounds such as (?=...) are not supported: describe the whole name instead, e.g. class-[0-9]+`,
    };
  }
  return { source, test: (roomName) => compiled.matches(roomName) };
}
