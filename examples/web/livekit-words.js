// A LiveKit Room's connection state and connection errors in plain words, for every page.
import { ConnectionErrorReason, ConnectionState } from 'livekit-client';

const STATE_WORDS = {
  [ConnectionState.Disconnected]: 'disconnected',
  [ConnectionState.Connecting]: 'connecting…',
  [ConnectionState.Connected]: 'connected',
  [ConnectionState.Reconnecting]: 'reconnecting…',
  [ConnectionState.SignalReconnecting]: 'reconnecting…',
};

/** A Room's state in words; once connected, the room, who we are and how many others. */
export function describeState(state, room) {
  let words = STATE_WORDS[state] ?? state;
  if (state === ConnectionState.Connected && room) {
    const others = room.remoteParticipants.size;
    words += ` to room ${room.name} as ${room.localParticipant.identity}`;
    words += `, ${others} other participant${others === 1 ? '' : 's'}`;
  }
  return words;
}

/** What went wrong connecting to LiveKit at `serverUrl`, in plain words. */
export function explainConnectError(error, serverUrl) {
  const hints = {
    [ConnectionErrorReason.ServerUnreachable]:
      'Nothing answered there: is LiveKit running (livekit-server --dev), and is the token ' +
      "server's LIVEKIT_URL its address?",
    [ConnectionErrorReason.NotAllowed]:
      "LiveKit refused the token: the token server's LIVEKIT_API_KEY and LIVEKIT_API_SECRET must " +
      'be a key pair of this LiveKit server.',
  };
  const hint = hints[error.reason];
  const said = `Could not connect to LiveKit at ${serverUrl}: ${error.message}`;
  return hint === undefined ? said : `${said}. ${hint}`;
}
