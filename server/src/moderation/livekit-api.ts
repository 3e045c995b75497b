// What moderation needs of LiveKit's RoomService, as narrow as the calls it makes; the
// Twirp client (livekit/room-service.ts) implements it. A leaf module: it imports nothing.

/** A participant as LiveKit lists it, reduced to what seats need. */
export interface ListedParticipant {
  identity: string;
  /** False for agents, hidden participants and recorders, which LiveKit's caps leave out. */
  takesSeat: boolean;
}

/** The RoomService calls moderation makes. */
export interface RoomServiceCalls {
  /** Disconnects a participant (and asks LiveKit Cloud to revoke its tokens). */
  removeParticipant(room: string, identity: string): Promise<void>;
  /** Who is in a room now. */
  listParticipants(room: string): Promise<ListedParticipant[]>;
}
