// The parts of an OpenAPI 3.1 document this server writes, typed enough to catch a misspelt
// key.
import type { ErrorCode } from '../error-codes';

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

/** A parameter of the path, the query or the headers. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
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

/** An error an operation may answer: a code, or a code with words fitting that route. */
export type OperationError = ErrorCode | { code: ErrorCode; when: string };
