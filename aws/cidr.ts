/** IPv4 address and CIDR arithmetic used by validation (overlaps, containment, reserved addresses). */

export interface Cidr {
  /** Canonical text, e.g. `10.0.0.0/16`. */
  readonly text: string;
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
  /** Last address (broadcast) as an unsigned 32-bit integer. */
  readonly last: number;
}

export function parseIpv4(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Size of a block of the given prefix length. */
function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string; suggestion?: string };

/** Parses `a.b.c.d/n`; rejects host bits set and suggests the network address instead. */
export function parseCidr(text: unknown): CidrParse {
  if (typeof text !== "string") return { ok: false, reason: "is not a string" };
  const match = /^([^/]+)\/([0-9]{1,2})$/.exec(text);
  if (!match) return { ok: false, reason: "is not in a.b.c.d/n form" };
  const address = parseIpv4(match[1]);
  const prefix = Number(match[2]);
  if (address === undefined) return { ok: false, reason: `has an invalid IPv4 address "${match[1]}"` };
  if (prefix > 32) return { ok: false, reason: `has a prefix length /${prefix} above /32` };
  const size = blockSize(prefix);
  const network = Math.floor(address / size) * size;
  if (network !== address) {
    const suggestion = `${formatIpv4(network)}/${prefix}`;
    return { ok: false, reason: `has host bits set (the network address of that block is ${suggestion})`, suggestion };
  }
  return { ok: true, cidr: { text, network, prefix, last: network + size - 1 } };
}

export function cidrOrUndefined(text: unknown): Cidr | undefined {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr : undefined;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= b.last && b.network <= a.last;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.network <= inner.network && inner.last <= outer.last;
}

export function containsAddress(block: Cidr, address: number): boolean {
  return block.network <= address && address <= block.last;
}

/**
 * AWS reserves the first four addresses and the last address of every subnet
 * (network, VPC router, DNS, future use, broadcast).
 */
export function isAwsReservedAddress(subnet: Cidr, address: number): boolean {
  return address - subnet.network < 4 || address === subnet.last;
}

/**
 * The CIDRs, in their order, without those another entry of the list contains (or repeats): one
 * security-group rule for 10.0.0.0/8 already admits 10.1.0.0/16.
 */
export function withoutCovered(cidrs: readonly string[]): string[] {
  const parsed = cidrs.map((text) => ({ text, cidr: cidrOrUndefined(text) }));
  return parsed
    .filter((entry, index) => {
      if (!entry.cidr) return true;
      return !parsed.some((other, j) => j !== index && other.cidr && contains(other.cidr, entry.cidr!) && (other.cidr.prefix < entry.cidr!.prefix || j < index));
    })
    .map((entry) => entry.text);
}
