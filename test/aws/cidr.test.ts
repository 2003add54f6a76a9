import { contains, formatIpv4, isAwsReservedAddress, overlaps, parseCidr, parseIpv4 } from "../../aws/cidr";

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
};

describe("cidr", () => {
  it("parses addresses strictly", () => {
    expect(parseIpv4("10.0.1.5")).toBe(167772421);
    expect(formatIpv4(167772421)).toBe("10.0.1.5");
    expect(parseIpv4("10.0.1")).toBeUndefined();
    expect(parseIpv4("10.0.1.256")).toBeUndefined();
    expect(parseIpv4("10.0.01.1")).toBeUndefined();
  });

  it("rejects host bits and suggests the network", () => {
    expect(parseCidr("10.0.1.5/24")).toEqual({ ok: false, reason: "has host bits set (the network address of that block is 10.0.1.0/24)", suggestion: "10.0.1.0/24" });
    expect(parseCidr("10.0.0.0/33")).toMatchObject({ ok: false, reason: "has a prefix length /33 above /32" });
    expect(cidr("0.0.0.0/0")).toMatchObject({ network: 0, last: 2 ** 32 - 1 });
  });

  it("computes overlap and containment", () => {
    expect(overlaps(cidr("10.0.0.0/16"), cidr("10.0.255.0/24"))).toBe(true);
    expect(overlaps(cidr("10.0.0.0/16"), cidr("10.1.0.0/16"))).toBe(false);
    expect(contains(cidr("10.0.0.0/16"), cidr("10.0.1.0/24"))).toBe(true);
    expect(contains(cidr("10.0.1.0/24"), cidr("10.0.0.0/16"))).toBe(false);
  });

  it("knows AWS's reserved subnet addresses (first four and last)", () => {
    const subnet = cidr("10.0.1.0/24");
    expect([0, 1, 2, 3, 4, 254, 255].map((host) => isAwsReservedAddress(subnet, subnet.network + host))).toEqual([true, true, true, true, false, false, true]);
  });
});
