// The answer of POST /connection-details, which the lobby hands an admitted guest too.
import type { IssuedParticipantToken } from '../issue-token';

/** Where to connect, and a token to connect with, in LiveKit's snake_case. */
export function connectionDetailsView(
  serverUrl: string,
  issued: IssuedParticipantToken,
  identity: string,
  name: string | undefined,
) {
  return {
    server_url: serverUrl,
    participant_token: issued.token,
    room_name: issued.roomName,
    participant_identity: identity,
    ...(name === undefined ? {} : { participant_name: name }),
    role: issued.role,
    expires_at: issued.expiresAt.toISOString(),
  };
}
