/** Waiting that a signal interrupts. */
import { EXIT, HandshakeError } from "./errors";

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
