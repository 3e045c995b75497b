// A loopback HTTP server standing in for LiveKit's RoomService (Twirp JSON): it checks each
// call's admin token as LiveKit does, with the official SDK's TokenVerifier and the grant the
// method needs (roomAdmin of the body's room), answers as LiveKit's Twirp server answers
// (proto field names, defaults written, int64 as strings, errors as {code, msg}), holds
// each room's participants, records every call, and can be told to fail, hang or go away.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ParticipantInfo, ParticipantPermission, TokenVerifier } from 'livekit-server-sdk';

/** The fields of ParticipantInfo a test sets; the rest take protobuf's defaults. */
export interface StandInParticipant {
  identity: string;
  /** ParticipantInfo.Kind: 0 STANDARD, 1 INGRESS, 2 EGRESS, 3 SIP, 4 AGENT. */
  kind?: number;
  /** Seconds since the epoch. */
  joinedAt?: number;
  /** Milliseconds since the epoch. */
  joinedAtMs?: number;
  permission?: { hidden?: boolean; recorder?: boolean; agent?: boolean };
}

/** One call the stand-in received. */
export interface StandInCall {
  /** The Twirp method: `RemoveParticipant`, `ListParticipants`. */
  method: string;
  /** The path requested. */
  path: string;
  contentType: string | undefined;
  /** The JSON body as sent. */
  body: Record<string, unknown>;
  /** The verified token's claims; undefined when it did not verify. */
  claims: Record<string, unknown> | undefined;
  /** What the stand-in answered. */
  status: number | undefined;
}

/** How the stand-in answers. */
export type StandInMode =
  | { kind: 'serve' }
  /** Answers every call with this status and a Twirp error. */
  | { kind: 'fail'; status: number }
  /** Reads the call and never answers. */
  | { kind: 'hang' };

/** A running stand-in. */
export interface LivekitStandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The same, as a ws:// URL, as LIVEKIT_URL is usually written. */
  wsUrl: string;
  calls: StandInCall[];
  /** Each room's participants, by room name; tests change them at will. */
  rooms: Map<string, StandInParticipant[]>;
  mode: StandInMode;
  /** Stops listening and drops every connection: LiveKit gone away. */
  close(): Promise<void>;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

function answer(res: ServerResponse, call: StandInCall, status: number, body: unknown): void {
  call.status = status;
  res.writeHead(status, JSON_TYPE).end(JSON.stringify(body));
}

function twirpError(
  res: ServerResponse,
  call: StandInCall,
  status: number,
  code: string,
  msg: string,
) {
  answer(res, call, status, { code, msg });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A protojson int64 field's value, which may come as a string or a number. */
function int64(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** ParticipantInfo as LiveKit's Twirp server writes it: proto names, defaults emitted. */
function participantJson(participant: StandInParticipant): unknown {
  return new ParticipantInfo({
    sid: `PA_${participant.identity}`,
    identity: participant.identity,
    kind: participant.kind ?? 0,
    joinedAt: BigInt(participant.joinedAt ?? 0),
    joinedAtMs: BigInt(participant.joinedAtMs ?? 0),
    permission: new ParticipantPermission({ canSubscribe: true, ...participant.permission }),
  }).toJson({ useProtoFieldName: true, emitDefaultValues: true });
}

/** Starts a stand-in whose calls must be signed with `apiKey`/`apiSecret`. */
export async function startLivekitStandIn(credentials: {
  apiKey: string;
  apiSecret: string;
}): Promise<LivekitStandIn> {
  const verifier = new TokenVerifier(credentials.apiKey, credentials.apiSecret);
  const sockets = new Set<Socket>();
  const standIn: Omit<LivekitStandIn, 'url' | 'wsUrl' | 'close'> = {
    calls: [],
    rooms: new Map(),
    mode: { kind: 'serve' },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '';
    const method = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(path)?.[1] ?? '';
    const text = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Recorded as empty; answered below as Twirp answers malformed JSON.
    }
    const call: StandInCall = {
      method,
      path,
      contentType: req.headers['content-type'],
      body,
      claims: undefined,
      status: undefined,
    };
    standIn.calls.push(call);
    if (standIn.mode.kind === 'hang') return;
    if (standIn.mode.kind === 'fail') {
      twirpError(res, call, standIn.mode.status, 'unavailable', 'stand-in told to fail');
      return;
    }
    if (req.method !== 'POST' || method === '') {
      twirpError(res, call, 404, 'bad_route', 'no such method');
      return;
    }
    const authorization = req.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ')) {
      twirpError(res, call, 401, 'unauthenticated', 'no bearer token');
      return;
    }
    try {
      call.claims = (await verifier.verify(authorization.slice('Bearer '.length))) as Record<
        string,
        unknown
      >;
    } catch {
      twirpError(res, call, 401, 'unauthenticated', 'invalid token');
      return;
    }
    const room = typeof body.room === 'string' ? body.room : '';
    const video = call.claims.video as { roomAdmin?: unknown; room?: unknown } | undefined;
    // LiveKit's EnsureAdminPermission: roomAdmin, for exactly the room the call names.
    if (video?.roomAdmin !== true || video.room !== room || room === '') {
      twirpError(res, call, 401, 'unauthenticated', 'permissions denied');
      return;
    }
    const participants = standIn.rooms.get(room);
    if (method === 'ListParticipants') {
      if (participants === undefined) {
        twirpError(res, call, 404, 'not_found', 'requested room does not exist');
        return;
      }
      answer(res, call, 200, { participants: participants.map(participantJson) });
      return;
    }
    if (method === 'RemoveParticipant') {
      // protojson reads either name of a field; so does the stand-in.
      const revoke = int64(body.revokeTokenTs ?? body.revoke_token_ts);
      if ((body.revokeTokenTs ?? body.revoke_token_ts) !== undefined && revoke === undefined) {
        twirpError(res, call, 400, 'malformed', 'revoke_token_ts is not an int64');
        return;
      }
      const index = participants?.findIndex((p) => p.identity === body.identity) ?? -1;
      if (participants === undefined || index === -1) {
        twirpError(res, call, 404, 'not_found', 'participant not found');
        return;
      }
      participants.splice(index, 1);
      answer(res, call, 200, {});
      return;
    }
    twirpError(res, call, 404, 'bad_route', 'no such method');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  });
}
