/**
 * Terraform logical names derived from meaningful keys (service, zone, CIDR), never from list
 * positions: adding or removing one entry leaves every other resource address unchanged.
 */
import { TerraformElement } from "cdktf";

/** A Terraform identifier made of the given parts: letters, digits, `_` and `-`, starting with a letter. */
export function tfName(...parts: Array<string | number>): string {
  const joined = parts
    .map((p) => String(p).toLowerCase().replace(/[^a-z0-9_-]+/g, "_").replace(/^_+|_+$/g, ""))
    .filter((p) => p !== "")
    .join("_");
  return /^[a-z_]/.test(joined) ? joined : `r_${joined}`;
}

/** Gives an element a readable, position-independent address (e.g. `aws_route53_zone.ssm_ap-northeast-1_amazonaws_com`). */
export function named<T extends TerraformElement>(element: T, ...parts: Array<string | number>): T {
  element.overrideLogicalId(tfName(...parts));
  return element;
}
