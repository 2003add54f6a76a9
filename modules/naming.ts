/**
 * Terraform logical names derived from meaningful keys (service, zone, CIDR), never from list
 * positions: adding or removing one entry leaves every other resource address unchanged.
 */
import { TerraformElement, TerraformStack } from "../framework/core";
import { tfName } from "../aws/names";
import { ValidationError } from "./errors";

export { tfName };

/** Addresses given out per stack, with the construct path that holds each. */
const addresses = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * Gives an element a readable, position-independent address (e.g.
 * `aws_route53_zone.ssm_ap-northeast-1_amazonaws_com`). Two sources that map to one address would have
 * one resource silently replace the other in the output: that throws a ValidationError naming both.
 */
export function named<T extends TerraformElement>(element: T, ...parts: Array<string | number>): T {
  const id = tfName(...parts);
  const type = (element as unknown as { terraformResourceType?: string }).terraformResourceType ?? element.constructor.name;
  const address = `${type}.${id}`;
  const stack = TerraformStack.of(element);
  let taken = addresses.get(stack);
  if (!taken) {
    taken = new Map();
    addresses.set(stack, taken);
  }
  const other = taken.get(address);
  if (other !== undefined) {
    throw new ValidationError(element, `its Terraform address ${address} is also the address of ${other}: the two sources map to one resource, and one would silently replace the other; rename one of them`);
  }
  taken.set(address, element.node.path);
  element.overrideLogicalId(id);
  return element;
}
