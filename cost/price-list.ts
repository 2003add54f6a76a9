/**
 * Current prices from the AWS Price List Query API (`pricing:GetProducts`, served from us-east-1), for
 * `privatelink cost --refresh`, and price tables read from a file (`--prices FILE`).
 *
 * What is read, per region (service code, product family, usage type suffix; us-east-1's usage types have
 * no region prefix, the others have one such as APN1-):
 *   AmazonVPC        VpcEndpoint-Hours, VpcEndpoint-Bytes (tiered), VpcEndpoint-Service-Hours,
 *                    TransitGateway-Hours, TransitGateway-Bytes
 *   AWSELB           Load Balancer-Network: LoadBalancerUsage, LCUUsage
 *   AWSDataTransfer  transferType "InterRegion Outbound" from the region: the highest rate to any region
 * Resolver, hosted-zone and Profile prices keep the table's values (their usage types were not verified
 * here); a region new to the table takes them from us-east-1, marked L.
 */
import { readTextFile, UnreadableFile } from "../topology/files";
// Loaded when prices are refreshed, never by the library's entry point: the SDK client is bundled into the
// privatelink command, not a dependency of the package.
import type { PricingClient } from "@aws-sdk/client-pricing";
import { BUNDLED_PRICES, Price, PriceTable, RegionPrices, Tier, TieredPrice } from "../aws/prices";

interface PriceListItem {
  product?: { productFamily?: string; attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string }; beginRange?: string; endRange?: string }> }> };
}

/** A price taken from us-east-1 for a region that lacks it, marked as an assumption. */
function assumedFromUsEast1<P extends Price | TieredPrice>(price: P): P {
  return { ...price, source: `assumed equal to us-east-1 (${price.source})`, confidence: "L" };
}

export interface RefreshResult {
  readonly table: PriceTable;
  /** What kept the previous table's value, and why. */
  readonly kept: readonly string[];
}

/** Price dimensions of the items whose usage type ends with `suffix`. */
function dimensions(items: readonly PriceListItem[], suffix: string, where?: (a: Record<string, string>) => boolean) {
  return items
    .filter((i) => {
      const a = i.product?.attributes ?? {};
      return (a.usagetype === suffix || a.usagetype?.endsWith(`-${suffix}`)) && (!where || where(a));
    })
    .flatMap((i) => Object.values(i.terms?.OnDemand ?? {}).flatMap((t) => Object.values(t.priceDimensions ?? {})))
    .map((d) => ({ usd: Number(d.pricePerUnit?.USD), begin: Number(d.beginRange ?? 0), end: d.endRange === undefined || d.endRange === "Inf" ? undefined : Number(d.endRange), unit: d.unit ?? "" }))
    .filter((d) => Number.isFinite(d.usd));
}

async function products(client: PricingClient, serviceCode: string, filters: Record<string, string>): Promise<PriceListItem[]> {
  const { GetProductsCommand } = await import("@aws-sdk/client-pricing");
  const items: PriceListItem[] = [];
  let token: string | undefined;
  for (let page = 0; page < 200; page++) {
    const out = await client.send(
      new GetProductsCommand({
        ServiceCode: serviceCode,
        FormatVersion: "aws_v1",
        MaxResults: 100,
        NextToken: token,
        Filters: Object.entries(filters).map(([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value })),
      }),
    );
    for (const entry of out.PriceList ?? []) items.push(JSON.parse(String(entry)) as PriceListItem);
    token = out.NextToken;
    if (!token) break;
  }
  return items;
}

/**
 * Reads the prices of `regions` from the Price List API. Values it cannot find keep the base table's (and
 * are listed in `kept`); a region missing from the base table whose endpoint hour cannot be read is an error.
 */
export async function refreshPrices(regions: readonly string[], base: PriceTable = BUNDLED_PRICES, pricingClient?: PricingClient): Promise<RefreshResult> {
  // The Price List Query API is served from us-east-1 (and two other regions); the client is pinned there.
  const client = pricingClient ?? new (await import("@aws-sdk/client-pricing")).PricingClient({ region: "us-east-1" });
  const date = new Date().toISOString().slice(0, 10);
  const kept: string[] = [];
  const out: Record<string, RegionPrices> = { ...base.regions };
  const fallback = base.regions[regions.find((r) => base.regions[r]) ?? "us-east-1"] ?? BUNDLED_PRICES.regions["us-east-1"];
  const read = (service: string, usage: string): string => `Price List API ${service} ${usage}, read ${date}`;
  for (const region of regions) {
    const previous: RegionPrices | undefined = base.regions[region];
    const vpc = await products(client, "AmazonVPC", { regionCode: region });
    const elb = await products(client, "AWSELB", { regionCode: region, productFamily: "Load Balancer-Network" });
    const transfer = await products(client, "AWSDataTransfer", { fromRegionCode: region, transferType: "InterRegion Outbound" });
    const single = (key: keyof RegionPrices, found: ReturnType<typeof dimensions>, unit: string, source: string): Price => {
      const usd = found.length > 0 ? Math.max(...found.map((d) => d.usd)) : undefined;
      if (usd !== undefined) return { usd, unit, source, confidence: "H" };
      const old = (previous ?? fallback)[key] as Price;
      kept.push(`${region} ${key}: not in the Price List answer; kept ${old.usd} (${previous ? "previous table" : "us-east-1's, marked L"})`);
      return previous ? old : assumedFromUsEast1(old);
    };
    const bytes = dimensions(vpc, "VpcEndpoint-Bytes").sort((a, b) => a.begin - b.begin);
    let endpointGb: TieredPrice;
    if (bytes.length > 0) {
      const tiers: Tier[] = bytes.map((d) => (d.end === undefined ? { usd: d.usd } : { upTo: d.end, usd: d.usd }));
      endpointGb = { unit: "GB processed by interface endpoints (regional monthly total)", tiers, source: read("AmazonVPC", "VpcEndpoint-Bytes"), confidence: "H" };
    } else {
      endpointGb = (previous ?? fallback).interfaceEndpointGb;
      kept.push(`${region} interfaceEndpointGb: not in the Price List answer; kept the ${previous ? "previous" : "us-east-1"} tiers`);
    }
    const hour = dimensions(vpc, "VpcEndpoint-Hours");
    if (hour.length === 0 && !previous) {
      throw new Error(`the Price List API returned no VpcEndpoint-Hours price for ${region}: is it a region AWS prices, and may your credentials call pricing:GetProducts?`);
    }
    const keep = <K extends keyof RegionPrices>(key: K): RegionPrices[K] => {
      if (previous) return previous[key];
      return assumedFromUsEast1(fallback[key] as Price) as RegionPrices[K];
    };
    out[region] = {
      interfaceEndpointHour: single("interfaceEndpointHour", hour, "endpoint-AZ hour", read("AmazonVPC", "VpcEndpoint-Hours")),
      interfaceEndpointGb: endpointGb,
      endpointServiceRemoteRegionHour: single("endpointServiceRemoteRegionHour", dimensions(vpc, "VpcEndpoint-Service-Hours"), "remote region-hour", read("AmazonVPC", "VpcEndpoint-Service-Hours")),
      nlbHour: single("nlbHour", dimensions(elb, "LoadBalancerUsage"), "load balancer-hour", read("AWSELB", "LoadBalancerUsage")),
      nlcuHour: single("nlcuHour", dimensions(elb, "LCUUsage"), "NLCU-hour", read("AWSELB", "LCUUsage")),
      resolverEniHour: keep("resolverEniHour"),
      interRegionOutGb: single("interRegionOutGb", dimensions(transfer, "AWS-Out-Bytes"), "GB sent to another region", read("AWSDataTransfer", "InterRegion Outbound (highest rate to any region)")),
      transitGatewayAttachmentHour: single("transitGatewayAttachmentHour", dimensions(vpc, "TransitGateway-Hours"), "attachment-hour", read("AmazonVPC", "TransitGateway-Hours")),
      transitGatewayGb: single("transitGatewayGb", dimensions(vpc, "TransitGateway-Bytes"), "GB sent into the transit gateway", read("AmazonVPC", "TransitGateway-Bytes")),
      profileAccountHour: keep("profileAccountHour"),
      profileAssociationHour: keep("profileAssociationHour"),
    };
  }
  kept.push(`Resolver endpoint and Route 53 Profile prices are not read from the Price List API: kept from ${base.origin}`);
  return { table: { ...base, regions: out, date, origin: `AWS Price List API (refreshed ${date}) over ${base.origin}` }, kept };
}

/** Reads a price table written by `--refresh --save-prices` or by hand; every problem at once. */
export function loadPriceTable(file: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFile(file, { maxBytes: 4 * 1024 * 1024 }));
  } catch (error) {
    throw new PriceTableError(file, [error instanceof UnreadableFile ? `cannot be read: it ${error.reason}` : `cannot be read as JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const t = raw as Partial<PriceTable>;
  const isPrice = (p: unknown): p is Price => typeof p === "object" && p !== null && typeof (p as Price).usd === "number" && (p as Price).usd >= 0 && ["H", "M", "L"].includes((p as Price).confidence);
  const isTiered = (p: unknown): p is TieredPrice =>
    typeof p === "object" && p !== null && Array.isArray((p as TieredPrice).tiers) && (p as TieredPrice).tiers.length > 0 && (p as TieredPrice).tiers.every((x) => typeof x.usd === "number" && x.usd >= 0);
  if (typeof t.date !== "string") problems.push("date: must be a YYYY-MM-DD string");
  if (typeof t.hoursPerMonth !== "number" || t.hoursPerMonth <= 0) problems.push("hoursPerMonth: must be a positive number (AWS uses 730)");
  if (!t.global || !isTiered(t.global.hostedZoneMonth) || !isTiered(t.global.resolverQueriesMillion)) problems.push("global: needs hostedZoneMonth and resolverQueriesMillion, each { unit, tiers: [{ upTo?, usd }], source, confidence }");
  if (!t.regions || typeof t.regions !== "object") problems.push("regions: must map region codes to their prices");
  for (const [region, prices] of Object.entries(t.regions ?? {})) {
    for (const key of Object.keys(BUNDLED_PRICES.regions["us-east-1"]) as (keyof RegionPrices)[]) {
      const value = (prices as unknown as Record<string, unknown>)[key];
      if (!(key === "interfaceEndpointGb" ? isTiered(value) : isPrice(value))) problems.push(`regions.${region}.${key}: missing or not a price ({ usd, unit, source, confidence: H|M|L })`);
    }
  }
  if (problems.length > 0) throw new PriceTableError(file, problems);
  return { ...(raw as PriceTable), origin: (raw as PriceTable).origin ?? file };
}

export class PriceTableError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the price table:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PriceTableError";
  }
}
