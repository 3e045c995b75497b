// LiveKit's RoomService for a configuration: the Twirp client when LIVEKIT_URL is set,
// loaded only then (a server without LIVEKIT_URL never pays for it), else none: moderation
// still refuses tokens, it just cannot remove anyone from a room.
import type { Config } from '../config';
import type { TokenSigner } from '../grants';
import type { Logger } from '../logger';
import type { RoomServiceCalls } from '../moderation/livekit-api';
import type * as RoomServiceModule from './room-service';

/** The RoomService of a configuration, or undefined without LIVEKIT_URL. */
export function livekitRoomService(
  config: Pick<Config, 'livekitUrl'>,
  signer: TokenSigner,
  logger: Logger,
): RoomServiceCalls | undefined {
  if (config.livekitUrl === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRoomService } = require('./room-service') as typeof RoomServiceModule;
  return createRoomService({ livekitUrl: config.livekitUrl, signer, logger });
}
