/**
 * Names AWS and Terraform accept, derived the same way wherever they are needed (constructs at synth,
 * validation rules before it), so a collision is found before anything is built.
 */
import { createHash } from "crypto";

/** A Terraform identifier made of the given parts: letters, digits, `_` and `-`, starting with a letter. */
export function tfName(...parts: Array<string | number>): string {
  const joined = parts
    .map((p) => String(p).toLowerCase().replace(/[^a-z0-9_-]+/g, "_").replace(/^_+|_+$/g, ""))
    .filter((p) => p !== "")
    .join("_");
  return /^[a-z_]/.test(joined) ? joined : `r_${joined}`;
}

/** The logical name of the alias record for `recordName` (`*.x` is written `wildcard.x`). */
export function recordLogicalName(recordName: string): string {
  return tfName(recordName.replace(/^\*\./, "wildcard."));
}

/** Elastic Load Balancing's limit on load balancer and target group names. */
export const ELB_NAME_MAX = 32;

/** Six hex digits of the name's SHA-256: stable across runs and machines. */
function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 6);
}

/**
 * A load balancer or target group name AWS accepts: at most 32 letters, digits and hyphens, not starting
 * or ending with a hyphen, and (load balancers) never starting with `internal-`. A name that fits is kept
 * as is; a longer one keeps its beginning and gets a hash of the whole name, so two long names that share
 * their first 25 characters still differ (`payments-settlement-reconcil-1a2b3c`).
 */
export function elbName(base: string, suffix = ""): string {
  const safe = base.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  const prefixed = /^internal-/i.test(safe) ? `pl-${safe}` : safe;
  if (prefixed.length + suffix.length <= ELB_NAME_MAX) return `${prefixed}${suffix}`;
  const tag = `-${shortHash(`${base}${suffix}`)}`;
  const room = ELB_NAME_MAX - tag.length - suffix.length;
  return `${prefixed.slice(0, room).replace(/-+$/, "")}${tag}${suffix}`;
}

/** Problems of a load balancer or target group name (empty when AWS accepts it). */
export function elbNameProblems(name: string, kind: "load balancer" | "target group"): string[] {
  const problems: string[] = [];
  if (name.length > ELB_NAME_MAX) problems.push(`${kind} name ${name} is longer than ${ELB_NAME_MAX} characters`);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(name)) problems.push(`${kind} name ${name} must be letters, digits and hyphens, not starting or ending with a hyphen`);
  if (kind === "load balancer" && /^internal-/i.test(name)) problems.push(`${kind} name ${name} must not start with internal-`);
  return problems;
}
