// The join page: redeems an invite code with POST /connection-details, waits in the lobby
// when the invite says so (long-polling GET /lobby/{id}), then connects a LiveKit Room.
import { ConnectionState, Room, RoomEvent } from 'livekit-client';
import { describeState, explainConnectError } from './livekit-words.js';
import {
  callTokenServer,
  explainError,
  initialTokenServerUrl,
  routeUrl,
  TokenServerUnreachable,
} from './token-server.js';

const byId = (id) => document.getElementById(id);

/** How long one lobby poll may wait for a change, in seconds (the server allows 0 to 25). */
const LOBBY_POLL_SECONDS = 20;

/** Lobby polls in a row that may get no answer before the page gives up. */
const MAX_POLL_FAILURES = 5;

/** How long to wait before asking again for a seat in a full room, in milliseconds. */
const ROOM_FULL_RETRY_MS = 5000;

/** Refusals whose meaning is the guest's own. */
const GUEST_WORDS = {
  LOBBY_ENTRY_NOT_FOUND:
    'The token server no longer knows your place in the waiting room: join again.',
  INVALID_POLL_TOKEN:
    'The token server no longer accepts your place in the waiting room: join again.',
};

/** A way the lobby ended other than being let in, in plain words. */
class LobbyOutcome extends Error {}

/** The current join (redemption and lobby polls), which a new one or "Stop waiting" aborts. */
let attempt;
/** The Room of the last connection, until it is left. */
let room;
/** The connection details of the last join. */
let details;

function showError(id, text) {
  byId(id).textContent = text;
  byId(id).hidden = text === '';
}

/** Resolves after `ms`, or rejects with the abort reason once `signal` aborts. */
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Waits in the lobby until the host decides: resolves with the connection details once
 * admitted; rejects with a LobbyOutcome when denied or expired, or with what went wrong.
 */
async function waitInLobby(serverUrl, lobby, signal) {
  byId('waiting-status').textContent = 'Waiting for the host to let you in…';
  byId('waiting-until').textContent = new Date(lobby.expires_at).toLocaleTimeString();
  byId('waiting').hidden = false;
  const url = routeUrl(
    serverUrl,
    `/lobby/${encodeURIComponent(lobby.id)}?wait=${LOBBY_POLL_SECONDS}`,
  );
  const headers = { Authorization: `Bearer ${lobby.poll_token}` };
  let failures = 0;
  try {
    for (;;) {
      let answer;
      try {
        answer = await callTokenServer(url, { headers, signal });
        failures = 0;
      } catch (error) {
        if (error.name === 'AbortError') throw error;
        if (error.code === 'ROOM_FULL') {
          // Let in, but the room is at its cap: the admission is kept, so ask again later.
          byId('waiting-status').textContent =
            'The host let you in, but the room is full: waiting for someone to leave…';
          await pause(ROOM_FULL_RETRY_MS, signal);
          continue;
        }
        // No answer (the network blinked, the server restarted) or too many polls: the place
        // is kept on the server, so try again a little later, a few times.
        const retryable = error instanceof TokenServerUnreachable || error.code === 'RATE_LIMITED';
        if (!retryable || failures >= MAX_POLL_FAILURES) throw error;
        failures += 1;
        byId('waiting-status').textContent =
          'Lost touch with the token server, trying again… You are still in the waiting room.';
        await pause((error.retryAfterSeconds ?? 2 * failures) * 1000, signal);
        continue;
      }
      const { lobby: entry, connection_details: connectionDetails } = answer.body;
      byId('waiting-status').textContent = 'Waiting for the host to let you in…';
      if (entry.status === 'waiting') continue;
      if (entry.status === 'admitted') {
        if (connectionDetails) return connectionDetails;
        throw new LobbyOutcome(
          'The host let you in, but this place was already used (in another tab?): join again.',
        );
      }
      if (entry.status === 'denied') {
        throw new LobbyOutcome('The host has denied your request to join this room.');
      }
      if (entry.status === 'expired') {
        throw new LobbyOutcome(
          'Nobody let you in before your place in the waiting room expired: ask the host, then ' +
            'join again.',
        );
      }
      throw new LobbyOutcome(
        `The waiting room answered a status this page does not know: ${entry.status}.`,
      );
    }
  } finally {
    byId('waiting').hidden = true;
  }
}

async function join(event) {
  event.preventDefault();
  attempt?.abort();
  const thisAttempt = new AbortController();
  attempt = thisAttempt;
  await leave();
  showError('join-error', '');
  byId('joined').hidden = true;
  const serverUrl = byId('token-server-url').value;
  const code = byId('invite-code').value.trim();
  const name = byId('participant-name').value.trim();
  byId('join').disabled = true;
  try {
    const { status, body } = await callTokenServer(routeUrl(serverUrl, '/connection-details'), {
      method: 'POST',
      headers: { 'X-Invite-Code': code },
      body: name === '' ? {} : { participant_name: name },
      signal: thisAttempt.signal,
    });
    if (status === 202 && typeof body?.lobby?.poll_token !== 'string') {
      throw new LobbyOutcome('The token server put you in a waiting room but said not which.');
    }
    const joined =
      status === 202 ? await waitInLobby(serverUrl, body.lobby, thisAttempt.signal) : body;
    showDetails(joined);
    await connect();
  } catch (error) {
    if (error.name === 'AbortError') return;
    showError(
      'join-error',
      error instanceof LobbyOutcome ? error.message : explainError(error, serverUrl, GUEST_WORDS),
    );
  } finally {
    if (attempt === thisAttempt) byId('join').disabled = false;
  }
}

function showDetails(connectionDetails) {
  details = connectionDetails;
  byId('room').textContent = details.room_name;
  byId('name').textContent = details.participant_name ?? '(none)';
  byId('identity').textContent = details.participant_identity;
  byId('role').textContent = details.role ?? '(not said)';
  byId('server-url').textContent = details.server_url;
  byId('expires').textContent =
    details.expires_at === undefined ? '(not said)' : new Date(details.expires_at).toLocaleString();
  byId('token').textContent = details.participant_token;
  byId('connection-state').textContent = 'not connected';
  showError('connection-error', '');
  byId('joined').hidden = false;
}

function showState(state, connectedRoom) {
  byId('connection-state').textContent = describeState(state, connectedRoom);
}

async function connect() {
  if (!details) return;
  await room?.disconnect();
  showError('connection-error', '');
  const { server_url: serverUrl, participant_token: token } = details;
  const thisRoom = new Room();
  room = thisRoom;
  const refresh = () => {
    if (room === thisRoom) showState(thisRoom.state, thisRoom);
  };
  thisRoom
    .on(RoomEvent.ConnectionStateChanged, refresh)
    .on(RoomEvent.ParticipantConnected, refresh)
    .on(RoomEvent.ParticipantDisconnected, refresh)
    .on(RoomEvent.Disconnected, () => {
      if (room !== thisRoom) return;
      byId('connect-again').disabled = false;
      byId('leave').disabled = true;
    });
  byId('connect-again').disabled = true;
  byId('leave').disabled = false;
  try {
    await thisRoom.connect(serverUrl, token);
  } catch (error) {
    if (room !== thisRoom) return;
    showError('connection-error', explainConnectError(error, serverUrl));
    showState(ConnectionState.Disconnected);
    byId('connect-again').disabled = false;
    byId('leave').disabled = true;
  }
}

async function leave() {
  const leaving = room;
  room = undefined;
  await leaving?.disconnect();
  byId('connect-again').disabled = details === undefined;
  byId('leave').disabled = true;
  if (leaving) byId('connection-state').textContent = 'left the room';
}

function stopWaiting() {
  attempt?.abort();
  attempt = undefined;
  byId('waiting').hidden = true;
  byId('join').disabled = false;
  showError('join-error', 'You stopped waiting. Press Join to wait again.');
}

const params = new URLSearchParams(location.search);
byId('token-server-url').value = initialTokenServerUrl();
byId('invite-code').value = params.get('code') ?? '';
byId('join-form').addEventListener('submit', join);
byId('stop-waiting').addEventListener('click', stopWaiting);
byId('connect-again').addEventListener('click', connect);
byId('leave').addEventListener('click', leave);
byId('join').disabled = false;
byId(byId('invite-code').value === '' ? 'invite-code' : 'participant-name').focus();
