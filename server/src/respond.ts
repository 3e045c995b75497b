// Writing a JSON answer directly, the one way every route and error answers.
import type { Response } from 'express';

/**
 * Answers with a JSON body. Written out directly rather than through Express's res.json,
 * whose content negotiation and charset handling cost measurable time on every token.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
