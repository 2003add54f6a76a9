/**
 * The retry and pacing engine of the handshake:
 * - which errors are worth another attempt, and capped exponential backoff with full jitter;
 * - deadlines: the work's, and a separate grace period for cleanup that a first signal does not cut;
 * - pacing: Route 53 serves 5 requests per second per account, across every process that calls it. A
 *   `FilePacer` spaces the calls of all handshake processes of one machine per account (a small
 *   lock-protected file per account in a shared directory), so they queue instead of being throttled.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, errorCode, HandshakeError, NETWORK_CODES, AwsLikeError } from "./errors";

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
  acquire(account: string, signal?: AbortSignal): Promise<void>;
}

/** No pacing (tests of the protocol alone). */
export const NO_PACING: Pacer = { acquire: async () => undefined };

export interface FilePacerOptions {
  /** Shared directory (default `<os tmpdir>/privatelink-cdktf/route53-pacing`, or `$PHZ_PACING_DIR`). */
  readonly dir?: string;
  /** Requests per second per account (default 5, Route 53's limit, or `$PHZ_ROUTE53_RATE`). */
  readonly ratePerSecond?: number;
}

/**
 * Cross-process pacing (GCRA, the "virtual scheduling" form of a token bucket): per account a file holds
 * the earliest time of the next call; taking a slot moves it on by 1/rate. A directory made with
 * `mkdir` (atomic on every platform) locks the file for the microseconds of the update; a lock older
 * than two seconds belongs to a process that died and is broken.
 */
export class FilePacer implements Pacer {
  readonly dir: string;
  readonly intervalMs: number;

  constructor(options: FilePacerOptions = {}) {
    this.dir = options.dir ?? process.env.PHZ_PACING_DIR ?? path.join(os.tmpdir(), "privatelink-cdktf", "route53-pacing");
    const rate = options.ratePerSecond ?? Number(process.env.PHZ_ROUTE53_RATE ?? 5);
    if (!(rate > 0)) throw new HandshakeError(`PHZ_ROUTE53_RATE must be a positive number of requests per second, not ${process.env.PHZ_ROUTE53_RATE}`, EXIT.badInput);
    this.intervalMs = 1000 / rate;
    fs.mkdirSync(this.dir, { recursive: true });
  }

  async acquire(account: string, signal?: AbortSignal): Promise<void> {
    const slot = await this.reserve(account, signal);
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait, signal);
  }

  /** Takes the next slot of the account's schedule; returns its time. */
  private async reserve(account: string, signal?: AbortSignal): Promise<number> {
    const file = path.join(this.dir, `${account}.next`);
    const lock = `${file}.lock`;
    for (let tries = 0; ; tries++) {
      try {
        fs.mkdirSync(lock);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        try {
          if (Date.now() - fs.statSync(lock).mtimeMs > 2000) fs.rmSync(lock, { recursive: true, force: true });
        } catch {
          // another process broke or released it first
        }
        await sleep(1 + Math.random() * 4 + Math.min(tries, 20), signal);
        continue;
      }
      try {
        let next = 0;
        try {
          next = Number(fs.readFileSync(file, "utf8")) || 0;
        } catch {
          // first call of this account
        }
        const slot = Math.max(Date.now(), next);
        fs.writeFileSync(file, String(slot + this.intervalMs));
        return slot;
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    }
  }
}

/** Waits `ms`; rejects with an "interrupted" HandshakeError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new HandshakeError("interrupted", EXIT.awsFailure));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new HandshakeError("interrupted", EXIT.awsFailure));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
