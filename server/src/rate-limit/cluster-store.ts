// Budgets for node:cluster workers without Redis: the primary counts for all of them, so
// that the workers of one instance spend one budget per caller. Each budget lives in the
// primary as a BoundedMemoryLimiter, capped at RATE_LIMIT_MAX_CALLERS there: capped in each
// worker instead (rate-limiter-flexible's RateLimiterCluster), the primary held a cap's
// worth per worker, 155,690 callers with 2 workers and a cap of 100,000. A worker asks the
// primary over the cluster's IPC channel, and counts a share on its own while the primary
// does not answer.
import cluster, { type Worker } from 'node:cluster';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { BoundedMemoryLimiter, MAX_TRACKED_CALLERS } from './memory-store';
import type { BudgetLimiter, LimiterStatus, LimiterStore } from './types';

/**
 * Longest a worker waits for the primary's count, in milliseconds. The primary only counts
 * in memory; past this it is stuck, and the worker counts on its own instead.
 */
const PRIMARY_TIMEOUT_MS = 1_000;

/** Marks our messages apart from anything else on the IPC channel. */
const CHANNEL = 'lkts:budget';

/** A worker's question: spend one of `key`'s budget. */
interface ConsumeMessage {
  channel: typeof CHANNEL;
  id: number;
  budget: string;
  perWindow: number;
  windowSeconds: number;
  key: string;
}

/** The primary's answer: within the budget or over it, with what is left and when. */
interface ConsumeAnswer {
  channel: typeof CHANNEL;
  id: number;
  allowed: boolean;
  remainingPoints: number;
  msBeforeNext: number;
  consumedPoints: number;
}

function isConsumeMessage(message: unknown): message is ConsumeMessage {
  const candidate = message as Partial<ConsumeMessage> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.channel === CHANNEL &&
    typeof candidate.id === 'number' &&
    typeof candidate.budget === 'string' &&
    typeof candidate.key === 'string' &&
    typeof candidate.perWindow === 'number' &&
    typeof candidate.windowSeconds === 'number'
  );
}

function isConsumeAnswer(message: unknown): message is ConsumeAnswer {
  const candidate = message as Partial<ConsumeAnswer> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.channel === CHANNEL &&
    typeof candidate.id === 'number' &&
    typeof candidate.allowed === 'boolean'
  );
}

/**
 * In the primary: holds the budgets every worker counts in, each capped at
 * `maxTrackedCallers` callers. Call once, before forking the workers.
 */
export function holdClusterBudgets(maxTrackedCallers: number = MAX_TRACKED_CALLERS): void {
  const budgets = new Map<string, BoundedMemoryLimiter>();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isConsumeMessage(message)) return;
    const { budget, perWindow, windowSeconds, key, id } = message;
    const name = `${budget}:${perWindow}:${windowSeconds}`;
    let limiter = budgets.get(name);
    if (limiter === undefined) {
      limiter = new BoundedMemoryLimiter(perWindow, windowSeconds, maxTrackedCallers);
      budgets.set(name, limiter);
    }
    const answer = (allowed: boolean, spent: RateLimiterRes): void => {
      // A worker gone meanwhile has no one to answer.
      if (!worker.isConnected()) return;
      const reply: ConsumeAnswer = {
        channel: CHANNEL,
        id,
        allowed,
        remainingPoints: spent.remainingPoints,
        msBeforeNext: spent.msBeforeNext,
        consumedPoints: spent.consumedPoints,
      };
      worker.send(reply);
    };
    limiter.consume(key).then(
      (spent) => answer(true, spent),
      (over: unknown) => {
        if (over instanceof RateLimiterRes) answer(false, over);
      },
    );
  });
}

/** A worker's questions in flight, by id, and the answers' listener. */
class PrimaryChannel {
  #nextId = 1;
  readonly #pending = new Map<number, (answer: ConsumeAnswer) => void>();

  constructor() {
    process.on('message', (message: unknown) => {
      if (!isConsumeAnswer(message)) return;
      this.#pending.get(message.id)?.(message);
    });
  }

  /** Asks the primary; resolves with its answer, or undefined past PRIMARY_TIMEOUT_MS. */
  ask(question: Omit<ConsumeMessage, 'channel' | 'id'>): Promise<ConsumeAnswer | undefined> {
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined);
      }, PRIMARY_TIMEOUT_MS);
      this.#pending.set(id, (answer) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(answer);
      });
      const message: ConsumeMessage = { channel: CHANNEL, id, ...question };
      process.send?.(message);
    });
  }
}

/** One budget counted in the primary, with a share of it in the worker as a fallback. */
class ClusterBudget implements BudgetLimiter {
  readonly #fallback: BoundedMemoryLimiter;

  constructor(
    private readonly channel: PrimaryChannel,
    private readonly budget: string,
    private readonly perWindow: number,
    private readonly windowSeconds: number,
    fallbackPoints: number,
    maxTrackedCallers: number,
  ) {
    this.#fallback = new BoundedMemoryLimiter(fallbackPoints, windowSeconds, maxTrackedCallers);
  }

  async consume(key: string): Promise<RateLimiterRes> {
    const answer = await this.channel.ask({
      budget: this.budget,
      perWindow: this.perWindow,
      windowSeconds: this.windowSeconds,
      key,
    });
    // The primary did not answer: never no limit, count a share here until it does.
    if (answer === undefined) return this.#fallback.consume(key);
    const spent = new RateLimiterRes(
      answer.remainingPoints,
      answer.msBeforeNext,
      answer.consumedPoints,
    );
    if (!answer.allowed) throw spent;
    return spent;
  }
}

const CLUSTER_STATUS: LimiterStatus = Object.freeze({
  store: 'memory',
  redisConfigured: false,
  redisReachable: false,
  redisErrors: 0,
});

/**
 * Keeps every budget in the primary's memory, shared by this instance's `workers`; each
 * worker's fallback is its share of the budget.
 */
export function createClusterStore(
  workers: number,
  maxTrackedCallers: number = MAX_TRACKED_CALLERS,
): LimiterStore {
  const channel = new PrimaryChannel();
  return {
    limiter: (budgetName, perWindow, windowSeconds) =>
      new ClusterBudget(
        channel,
        budgetName,
        perWindow,
        windowSeconds,
        Math.max(1, Math.ceil(perWindow / Math.max(1, workers))),
        maxTrackedCallers,
      ),
    status: () => CLUSTER_STATUS,
    close: () => Promise.resolve(),
  };
}
