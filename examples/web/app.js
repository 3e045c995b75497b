// The example page's script: gets connection details from the token server with
// livekit-client's TokenSource.endpoint, shows what the token grants, and connects a Room.
import { ConnectionState, decodeTokenPayload, Room, RoomEvent, TokenSource } from 'livekit-client';
import { describeState, explainConnectError } from './livekit-words.js';

const byId = (id) => document.getElementById(id);

/** The connection details last fetched: `{ serverUrl, participantToken }`. */
let details;
/** The Room of the last Connect, until it is disconnected. */
let room;

/** Shows `text` in an error paragraph, or hides the paragraph when `text` is empty. */
function showError(id, text) {
  byId(id).textContent = text;
  byId(id).hidden = text === '';
}

/** The endpoint under a token server URL, which may end with a slash or carry a base path. */
function connectionDetailsUrl(tokenServerUrl) {
  return `${tokenServerUrl.trim().replace(/\/+$/, '')}/connection-details`;
}

/**
 * What went wrong fetching connection details, in plain words. TokenSource.endpoint throws
 * `Error generating token from endpoint <url>: received <status> / <body>` for an error
 * answer, where our server's body is `{ "error": { "code", "message" } }`; and fetch throws
 * TypeError when no answer arrives, CORS refusals included (the browser console says which).
 */
function explainDetailsError(error, url) {
  const answered = /received (\d+) \/ ([\s\S]*)$/.exec(error.message);
  if (answered) {
    const [, status, body] = answered;
    let code = '';
    let message = body;
    try {
      ({ code, message } = JSON.parse(body).error);
    } catch {
      // Not our server's error shape (a proxy's page, say): show the body as it came.
    }
    const hint =
      status === '401'
        ? ' The server asks callers to authenticate: fill in "API key or login token".'
        : '';
    return `The token server answered ${status}${code ? ` ${code}` : ''}: ${message}${hint}`;
  }
  if (error instanceof TypeError) {
    return (
      `Could not reach the token server at ${url}. Is it running (./start_token_server.sh)? ` +
      `If it is, it may refuse this page's origin (${location.origin}): add it to CORS_ORIGINS. ` +
      'The browser console says which.'
    );
  }
  return `Getting connection details failed: ${error.message}`;
}

async function getConnectionDetails(event) {
  event.preventDefault();
  await disconnect();
  showError('details-error', '');
  byId('details').hidden = true;
  const url = connectionDetailsUrl(byId('token-server-url').value);
  const credential = byId('credential').value.trim();
  const fetchOptions = {};
  const roomName = byId('room-name').value.trim();
  const participantName = byId('participant-name').value.trim();
  if (roomName !== '') fetchOptions.roomName = roomName;
  if (participantName !== '') fetchOptions.participantName = participantName;

  byId('get-details').disabled = true;
  try {
    // The second argument is fetch's RequestInit (without body): headers go there.
    const source = TokenSource.endpoint(url, {
      headers: credential === '' ? {} : { Authorization: `Bearer ${credential}` },
    });
    details = await source.fetch(fetchOptions);
    showDetails(details);
  } catch (error) {
    showError('details-error', explainDetailsError(error, url));
  } finally {
    byId('get-details').disabled = false;
  }
}

function showDetails({ serverUrl, participantToken }) {
  // Decoding only reads the payload; nothing here checks the signature.
  const claims = decodeTokenPayload(participantToken);
  byId('server-url').textContent = serverUrl;
  byId('room').textContent = claims.video?.room ?? '(none)';
  byId('identity').textContent = claims.sub ?? '(none)';
  byId('name').textContent = claims.name ?? '(none)';
  byId('expires').textContent =
    claims.exp === undefined ? '(never)' : new Date(claims.exp * 1000).toLocaleString();
  byId('grants').textContent = JSON.stringify(claims.video ?? {}, null, 2);
  byId('claims').textContent = JSON.stringify(claims, null, 2);
  byId('token').textContent = participantToken;
  byId('connection-state').textContent = 'not connected';
  showError('connection-error', '');
  byId('details').hidden = false;
}

function showState(state, connectedRoom) {
  byId('connection-state').textContent = describeState(state, connectedRoom);
}

async function connect() {
  if (!details) return;
  await room?.disconnect();
  showError('connection-error', '');
  const { serverUrl, participantToken } = details;
  const thisRoom = new Room();
  room = thisRoom;
  // Events of a Room replaced by a later Connect no longer show.
  const refresh = () => {
    if (room === thisRoom) showState(thisRoom.state, thisRoom);
  };
  thisRoom
    .on(RoomEvent.ConnectionStateChanged, refresh)
    .on(RoomEvent.ParticipantConnected, refresh)
    .on(RoomEvent.ParticipantDisconnected, refresh)
    .on(RoomEvent.Disconnected, () => {
      // LiveKit ended the session (or the network did): Connect may be pressed again.
      if (room !== thisRoom) return;
      byId('connect').disabled = false;
      byId('disconnect').disabled = true;
    });
  byId('connect').disabled = true;
  byId('disconnect').disabled = false;
  try {
    await thisRoom.connect(serverUrl, participantToken);
  } catch (error) {
    if (room !== thisRoom) return;
    showError('connection-error', explainConnectError(error, serverUrl));
    showState(ConnectionState.Disconnected);
    byId('connect').disabled = false;
    byId('disconnect').disabled = true;
  }
}

async function disconnect() {
  await room?.disconnect();
  room = undefined;
  byId('connect').disabled = false;
  byId('disconnect').disabled = true;
}

byId('details-form').addEventListener('submit', getConnectionDetails);
byId('connect').addEventListener('click', connect);
byId('disconnect').addEventListener('click', disconnect);
byId('get-details').disabled = false;
