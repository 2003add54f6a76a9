/**
 * The retry engine of the handshake: which errors are worth another attempt, capped exponential
 * backoff with full jitter, a deadline (with a grace period for cleanup), and interruptible sleeps.
 */
import { EXIT, errorCode, HandshakeError, NETWORK_CODES, AwsLikeError } from "./errors";

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "PriorRequestNotComplete",
  "ConcurrentModification",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  const status = (error as AwsLikeError)?.$metadata?.httpStatusCode;
  return RETRYABLE_CODES.has(code) || NETWORK_CODES.has(code) || (status !== undefined && status >= 500);
}

export interface RetryPolicy {
  /** When the whole operation gives up (epoch ms). */
  readonly deadline: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  /** Aborts sleeps (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

/** Retries calls under one policy; measures time from its creation. */
export class Retrier {
  readonly started = Date.now();

  constructor(private readonly policy: RetryPolicy) {}

  get deadline(): number {
    return this.policy.deadline;
  }

  /** Waits `ms`, or rejects at once when the run is interrupted. */
  sleep(ms: number): Promise<void> {
    const signal = this.policy.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new HandshakeError("interrupted", EXIT.awsFailure));
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(new HandshakeError("interrupted", EXIT.awsFailure));
        },
        { once: true },
      );
    });
  }

  /** Capped exponential backoff with full jitter for the given attempt (1-based). */
  backoff(attempt: number): number {
    return Math.random() * Math.min(this.policy.retryCapMs, this.policy.retryBaseMs * 2 ** (attempt - 1));
  }

  /** Runs `fn` with retries until success, a non-retryable error, or the deadline (`graceMs` past it). */
  async retry<T>(label: string, fn: () => Promise<T>, graceMs = 0): Promise<{ value: T; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { value: await fn(), attempts: attempt };
      } catch (error) {
        if (error instanceof HandshakeError || !isRetryable(error)) throw error;
        const delay = this.backoff(attempt);
        if (Date.now() + delay > this.policy.deadline + graceMs) {
          throw new HandshakeError(
            `${label}: gave up after ${attempt} attempts in ${((Date.now() - this.started) / 1000).toFixed(1)} s, last error ${errorCode(error)}: ${(error as Error).message}`,
            EXIT.awsFailure,
          );
        }
        await this.sleep(delay);
      }
    }
  }
}
