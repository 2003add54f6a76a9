/**
 * The retry and pacing engine of the handshake:
 * - which errors are worth another attempt, and capped exponential backoff with full jitter;
 * - deadlines: the work's, and a separate grace period for cleanup that a first signal does not cut;
 * - pacing: Route 53 serves 5 requests per second per account, across every process that calls it. A
 *   `FilePacer` spaces the calls of all handshake processes of one machine per account (a small
 *   lock-protected file per account in a shared directory), so they queue instead of being throttled.
 */
import * as path from "path";
import { EXIT, errorCode, HandshakeError, NETWORK_CODES, AwsLikeError } from "./errors";
import { sleep } from "./sleep";
import { privateDir, readPrivate, stateDir, withMutex, writePrivate } from "./state";

const THROTTLING_CODES: ReadonlySet<string> = new Set(["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"]);

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ...THROTTLING_CODES,
  "PriorRequestNotComplete",
  "ConcurrentModification",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

export function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.has(errorCode(error));
}

export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  const status = (error as AwsLikeError)?.$metadata?.httpStatusCode;
  return RETRYABLE_CODES.has(code) || NETWORK_CODES.has(code) || (status !== undefined && status >= 500);
}

/**
 * The request may have reached AWS and taken effect although no answer came back (a dropped connection,
 * a timeout, a 5xx): the caller must assume it might have.
 */
export function outcomeUnknown(error: unknown): boolean {
  const code = errorCode(error);
  const status = (error as AwsLikeError)?.$metadata?.httpStatusCode;
  return NETWORK_CODES.has(code) || code === "TimeoutError" || code === "RequestTimeout" || code === "AbortError" || (status !== undefined && status >= 500);
}

/** Hands out call slots per account; `acquire` resolves when the caller may send its request. */
export interface Pacer {
  /** Resolves at the caller's slot; rejects when that slot is past `deadline` (the run's, or its cleanup's). */
  acquire(account: string, signal?: AbortSignal, deadline?: number): Promise<void>;
}

/** No pacing (tests of the protocol alone). */
export const NO_PACING: Pacer = { acquire: async () => undefined };

export interface FilePacerOptions {
  /** The schedule's directory (default `<state dir>/route53-pacing`, or `$PHZ_PACING_DIR`): per user, 0700. */
  readonly dir?: string;
  /** Requests per second per account (default 5, Route 53's limit, or `$PHZ_ROUTE53_RATE`). */
  readonly ratePerSecond?: number;
}

/**
 * How far ahead of now a slot may legitimately be: 600 calls queued at 5 per second. A schedule further
 * ahead (a clock stepped back, a file someone wrote) is corrupt and starts again from now.
 */
export const MAX_QUEUE_MS = 120_000;

/**
 * Cross-process pacing (GCRA, the "virtual scheduling" form of a token bucket): per account a file holds
 * the earliest time of the next call; taking a slot moves it on by 1/rate. A short mutex (state.ts) guards
 * the update. Every wait is bounded by the caller's deadline.
 */
export class FilePacer implements Pacer {
  readonly dir: string;
  readonly intervalMs: number;

  constructor(options: FilePacerOptions = {}) {
    const rate = options.ratePerSecond ?? Number(process.env.PHZ_ROUTE53_RATE ?? 5);
    if (!(rate > 0)) throw new HandshakeError(`PHZ_ROUTE53_RATE must be a positive number of requests per second, not ${process.env.PHZ_ROUTE53_RATE}`, EXIT.badInput);
    this.intervalMs = 1000 / rate;
    if (options.dir ?? process.env.PHZ_PACING_DIR) {
      this.dir = privateDir(options.dir ?? process.env.PHZ_PACING_DIR!);
    } else {
      privateDir(stateDir());
      this.dir = privateDir(path.join(stateDir(), "route53-pacing"));
    }
  }

  async acquire(account: string, signal?: AbortSignal, deadline?: number): Promise<void> {
    const slot = await this.reserve(account, signal, deadline);
    if (deadline !== undefined && slot > deadline) {
      throw new HandshakeError(`Route 53 pacing: the next call slot of account ${account} is ${((slot - Date.now()) / 1000).toFixed(1)} s away, past this run's deadline`, EXIT.awsFailure);
    }
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait, signal);
  }

  /** Takes the next slot of the account's schedule; returns its time. */
  private reserve(account: string, signal?: AbortSignal, deadline?: number): Promise<number> {
    const file = path.join(this.dir, `${account.replace(/[^0-9A-Za-z-]/g, "_")}.next`);
    return withMutex(
      `${file}.lock`,
      () => {
        const now = Date.now();
        let next = Number(readPrivate(file) ?? 0);
        if (!Number.isFinite(next) || next > now + MAX_QUEUE_MS) next = 0; // corrupt: start again from now
        const slot = Math.max(now, next);
        // The schedule moves on only when the slot is taken (a slot past the deadline is not).
        if (deadline === undefined || slot <= deadline) writePrivate(file, String(slot + this.intervalMs));
        return slot;
      },
      { signal, deadline },
    );
  }
}

export { sleep };

export interface RetryPolicy {
  /** When the phase gives up (epoch ms). */
  readonly deadline: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** Aborts sleeps and requests of the phase (work: the first signal; cleanup: the second). */
  readonly signal?: AbortSignal;
}

/** Retries calls under one policy. */
export class Retrier {
  constructor(
    readonly policy: RetryPolicy,
    readonly started = Date.now(),
  ) {}

  get deadline(): number {
    return this.policy.deadline;
  }

  get signal(): AbortSignal | undefined {
    return this.policy.signal;
  }

  /** Waits `ms`, or rejects at once when the phase is interrupted. */
  sleep(ms: number): Promise<void> {
    return sleep(ms, this.policy.signal);
  }

  /** Capped exponential backoff with full jitter for the given attempt (1-based). */
  backoff(attempt: number): number {
    return Math.random() * Math.min(this.policy.retryCapMs, this.policy.retryBaseMs * 2 ** (attempt - 1));
  }

  /** Runs `fn` with retries until success, a non-retryable error, or the deadline. */
  async retry<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { value: await fn(), attempts: attempt };
      } catch (error) {
        if (error instanceof HandshakeError || !isRetryable(error) || this.policy.signal?.aborted) throw Object.assign(error as object, { attempts: attempt });
        const delay = this.backoff(attempt);
        if (Date.now() + delay > this.policy.deadline) {
          throw Object.assign(
            new HandshakeError(
              `${label}: gave up after ${attempt} attempts in ${((Date.now() - this.started) / 1000).toFixed(1)} s, last error ${errorCode(error)}: ${(error as Error).message}`,
              EXIT.awsFailure,
            ),
            { attempts: attempt, cause: error },
          );
        }
        await this.sleep(delay);
      }
    }
  }
}
