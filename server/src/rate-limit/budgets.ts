// The budgets routes spend, declared once: what each is spent on and which variable sets it.
// A route names its budget in the route table; routes naming the same one share it.
import type { LimitsConfig } from '../config/limits';
import type { ModerationConfig } from '../config/moderation';

/** One budget of requests per caller and minute. */
export interface BudgetDefinition {
  /** What the budget is for, in the 429 message: `requests to /validate`. */
  spentOn: string;
  /** The variable that sets the budget, named in the 429 so that operators know the knob. */
  setting: string;
  /** Requests per caller and minute under a configuration; 0 turns the limit off. */
  perMinute(config: LimitsConfig & ModerationConfig): number;
}

/** Every budget, by the name the RateLimit headers and the metrics give it. */
export const BUDGETS = {
  // Both token routes spend one budget: a second route must not double a caller's tokens.
  token: {
    spentOn: 'token requests (POST /token and /connection-details together)',
    setting: 'RATE_LIMIT_PER_MINUTE',
    perMinute: (config) => config.tokenRateLimitPerMinute,
  },
  validate: {
    spentOn: 'requests to /validate',
    setting: 'VALIDATE_RATE_LIMIT_PER_MINUTE',
    perMinute: (config) => config.validateRateLimitPerMinute,
  },
  // Moderators' own budget: a busy host page must not spend its users' token budget.
  moderation: {
    spentOn: 'requests to the moderation routes (/bans, /rooms)',
    setting: 'MODERATION_RATE_LIMIT_PER_MINUTE',
    perMinute: (config) => config.moderationRateLimitPerMinute,
  },
} as const satisfies Record<string, BudgetDefinition>;

/** The name of a budget. */
export type BudgetName = keyof typeof BUDGETS;

/** Every budget's name, in the table's order. */
export const BUDGET_NAMES = Object.keys(BUDGETS) as BudgetName[];
