// An audit entry's details as the stores keep them: one JSON object of flat values.
import type { AuditEntry } from './store';

type Details = AuditEntry['details'];

/**
 * Reads back details stored as JSON; anything but a flat object (a file edited by hand)
 * reads as no details, rather than failing the whole page of the trail.
 */
export function parseDetails(text: string): Details {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const details: Details = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      details[name] = value as Details[string];
    }
  }
  return details;
}
