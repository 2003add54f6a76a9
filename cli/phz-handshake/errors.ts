/** Exit codes, the error type of the handshake command, and how AWS errors are named and classified. */

/** 130 is the shell's code for a run stopped by a signal (128 + SIGINT). */
export const EXIT = { ok: 0, badInput: 2, awsFailure: 3, conflictingDomain: 4, interrupted: 130 } as const;

/** A failure with the exit code that classifies it. */
export class HandshakeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "HandshakeError";
  }
}

/** Socket-level error codes: the request may or may not have reached AWS. */
export const NETWORK_CODES: ReadonlySet<string> = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

export interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The error's AWS code (`Throttling`, `NoSuchHostedZone`...) or network code (`ECONNRESET`). */
export function errorCode(error: unknown): string {
  const e = error as AwsLikeError;
  if (e?.code && NETWORK_CODES.has(e.code)) return e.code;
  if (/socket hang up|ECONNRESET/i.test(e?.message ?? "")) return "ECONNRESET";
  return e?.name ?? "Error";
}

/** Route 53 error codes that mean the request itself is wrong (exit 2), not that AWS failed. */
const BAD_INPUT_CODES: ReadonlySet<string> = new Set(["InvalidVPCId", "InvalidInput", "NoSuchHostedZone", "PublicZoneVPCAssociation", "LastVPCAssociation"]);

/** Maps an AWS error to a HandshakeError with the right exit code. */
export function classify(error: unknown, what: string): Error {
  if (error instanceof HandshakeError) return error;
  const code = errorCode(error);
  const message = `${what} failed: ${code}: ${(error as Error).message}`;
  return new HandshakeError(message, BAD_INPUT_CODES.has(code) ? EXIT.badInput : EXIT.awsFailure);
}
