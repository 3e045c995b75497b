// What one entry of the route table is (method, path, who may call it, handler, OpenAPI
// operation), and the parts of the app its handler is built from. The app and the document
// are both derived from the table (routes/table.ts), so that adding a route is adding one
// entry.
import type { RequestHandler } from 'express';
import type { Config } from '../config';
import type { TokenSigner } from '../grants';
import type { ParticipantTokenIssuer } from '../issue-token';
import type { Logger } from '../logger';
import type { Invites } from '../invites/invites';
import type { Moderation } from '../moderation/moderation';
import type { AppMetrics } from '../metrics';
import type { OperationContext } from '../openapi/guard';
import type { Operation, OpenApiDocument } from '../openapi/types';
import type { BudgetName } from '../rate-limit/budgets';
import type { Readiness } from '../readiness';

/** The HTTP methods routes are declared with, as Express and OpenAPI spell them. */
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** Who may call a route, and what stands in front of its handler. */
export type RouteAccess =
  /** Anyone: no authentication, no budget, no body (probes, health, the docs). */
  | { kind: 'public' }
  /**
   * Callers as AUTH_MODE says: authentication, then the budget (failed logins count too),
   * then the refusal of a failed login, then the JSON body when the route reads one.
   */
  | {
      kind: 'caller';
      budget: BudgetName;
      /** The largest body read, in bytes; absent for routes that read none. */
      bodyLimitBytes?: (config: Config) => number;
      /**
       * Where an invite code may stand in for the caller's credentials (the token routes):
       * the X-Invite-Code header, or that and the body's invite_code (routes/invite-credential.ts).
       */
      invites?: 'header' | 'header-or-body';
    }
  /**
   * LiveKit's webhooks: no caller authentication (the signature over the raw body is the
   * credential, checked by the handler), the body read as bytes within the limit.
   */
  | { kind: 'webhook'; bodyLimitBytes: (config: Config) => number }
  /**
   * Moderators: a LiveKit host token (roomAdmin) is checked first and, when valid, stands
   * in for the caller authentication; otherwise as `caller`. The handler decides which
   * rooms the moderator may act on (moderation/moderator.ts).
   */
  | {
      kind: 'moderator';
      budget: BudgetName;
      bodyLimitBytes?: (config: Config) => number;
    };

/** What a route's handler is built from: the app's shared parts. */
export interface AppParts {
  config: Config;
  logger: Logger;
  metrics: AppMetrics;
  signer: TokenSigner;
  issuer: ParticipantTokenIssuer;
  /** Bans, caps, seats, the audit trail and LiveKit's RoomService. */
  moderation: Moderation;
  /** Invites and the lobby. */
  invites: Invites;
  /** Decides GET /readyz. */
  readiness: Readiness;
  /** Fetches what the first requests would need (the login provider's keys). */
  prepare: () => Promise<void>;
  /** The app's OpenAPI document, built the first time it is asked for. */
  openApiDocument: () => OpenApiDocument;
  /** Where the API reference's built files are (server/dist/docs). */
  docsAssetsFolder: string;
}

/** One entry of the route table. */
export interface Route {
  method: HttpMethod;
  /** The path as Express matches it (`/bans/:id`); the document writes `{id}`. */
  path: string;
  access: RouteAccess;
  /** Whether a configuration serves the route at all; always, when absent. */
  servedWhen?: (config: Config) => boolean;
  /** Builds the handler, which runs after what `access` puts in front of it. */
  handler: (parts: AppParts) => RequestHandler;
  /** The route's OpenAPI operation; routes without one (the docs' own) are left out. */
  operation?: (context: OperationContext) => Operation;
}
