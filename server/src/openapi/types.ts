// The parts of an OpenAPI 3.1 document this server writes, typed enough to catch a misspelt
// key, and what a route's documentation is built from.
import type { Config } from '../config';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect). */
export type JsonSchema = { [keyword: string]: unknown };

/** A reference to a component of the document, such as `#/components/schemas/Error`. */
export interface Reference {
  $ref: string;
}

/** A response header. */
export interface Header {
  description: string;
  schema: JsonSchema;
}

/** A body of a request or answer: its media type, schema and an example. */
export interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

/** One answer of an operation, for one status. */
export interface Response {
  description: string;
  headers?: Record<string, Header | Reference>;
  content?: Record<string, MediaType>;
}

/** A query parameter. */
export interface Parameter {
  name: string;
  in: 'query' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

/** Security schemes an operation accepts: any one of the listed requirements. */
export type SecurityRequirement = Record<string, string[]>;

/** One operation: a method on a path. */
export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { description?: string; required: boolean; content: Record<string, MediaType> };
  /** Answers keyed by status code. */
  responses: Record<string, Response>;
  security?: SecurityRequirement[];
}

/** A security scheme, as OpenAPI describes them. */
export type SecurityScheme =
  | { type: 'apiKey'; in: 'header'; name: string; description: string }
  | { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description: string };

/** The whole document. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags?: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    headers: Record<string, Header>;
    securitySchemes?: Record<string, SecurityScheme>;
  };
}

/** What a route's documentation is built from: the configuration and the app's own limits. */
export interface OpenApiContext {
  config: Config;
  /** The server's version, the document's own version too. */
  serverVersion: string;
  /** Largest body /token and /connection-details read, in bytes. */
  tokenBodyLimitBytes: number;
  /** Largest body /validate reads, in bytes. */
  validateBodyLimitBytes: number;
}

/**
 * One route the document describes. Each sits beside its handler, in
 * `routes/<name>.openapi.ts`; listing it in `openapi/routes.ts` puts it in the document.
 */
export interface DocumentedRoute {
  /** The path, as Express mounts it. */
  path: string;
  method: 'get' | 'post';
  /** The operation, as this configuration makes it. */
  operation(context: OpenApiContext): Operation;
}
