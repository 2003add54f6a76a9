/**
 * On-demand prices the cost report uses, per region, each with where it was read and how sure we are.
 * `privatelink cost --refresh` replaces the bundled table with prices read from the AWS Price List API
 * (`cost/price-list.ts`); `--prices FILE` reads a table of this shape (for example one `--refresh`
 * wrote, or one a team keeps for its negotiated rates).
 *
 * The Price List API's service codes: interface endpoints, endpoint-service remote-region hours and
 * Transit Gateway are in `AmazonVPC`; load balancers in `AWSELB`; hosted zones, queries and Resolver
 * ENIs in `AmazonRoute53`; inter-region transfer in `AWSDataTransfer`.
 */

/** One price: USD per unit, with its evidence. */
export interface Price {
  readonly usd: number;
  /** What one unit is. */
  readonly unit: string;
  /** The Price List usage type (without the region prefix, which us-east-1 lacks) or the page it was read on. */
  readonly source: string;
  /**
   * H: read from AWS (Price List API or AWS's pricing page); M: two public transcriptions of AWS's figure
   * that agree; L: assumed (stated why). A report names every L price it used.
   */
  readonly confidence: "H" | "M" | "L";
}

/** A tiered price: `upTo` is the cumulative quantity where the tier ends (the last tier has none). */
export interface Tier {
  readonly upTo?: number;
  readonly usd: number;
}

export interface TieredPrice {
  readonly unit: string;
  readonly tiers: readonly Tier[];
  readonly source: string;
  readonly confidence: "H" | "M" | "L";
}

export interface RegionPrices {
  /** Interface endpoint, per endpoint per availability zone per hour (`VpcEndpoint-Hours`). */
  readonly interfaceEndpointHour: Price;
  /**
   * Data processed by interface endpoints, per GB, tiered on the total of all interface endpoints of one
   * account in the region in a month (`VpcEndpoint-Bytes`).
   */
  readonly interfaceEndpointGb: TieredPrice;
  /** Endpoint service owner, per remote region with at least one active cross-region endpoint, per hour. */
  readonly endpointServiceRemoteRegionHour: Price;
  /** Network Load Balancer, per hour (`LoadBalancerUsage`). */
  readonly nlbHour: Price;
  /** Network Load Balancer capacity unit, per NLCU-hour (`LCUUsage`); for TCP one NLCU is 1 GB per hour processed. */
  readonly nlcuHour: Price;
  /** Route 53 Resolver endpoint, per elastic network interface (one per IP address) per hour. */
  readonly resolverEniHour: Price;
  /** Data transfer from this region to another AWS region, per GB (billed by the sending region). */
  readonly interRegionOutGb: Price;
  /** Transit Gateway attachment, per attachment per hour (`TransitGateway-Hours`). */
  readonly transitGatewayAttachmentHour: Price;
  /** Transit Gateway data processed, per GB sent into the transit gateway (`TransitGateway-Bytes`). */
  readonly transitGatewayGb: Price;
  /** Route 53 Profiles, per owner account per region per hour, covering the first 100 VPC associations. */
  readonly profileAccountHour: Price;
  /** Route 53 Profiles, per VPC association beyond 100 per owner account per region, per hour. */
  readonly profileAssociationHour: Price;
}

/** Prices that do not depend on the region. */
export interface GlobalPrices {
  /** Hosted zone per month, tiered on the number of zones in the account (first 25, then the rest). */
  readonly hostedZoneMonth: TieredPrice;
  /** Resolver endpoint queries, per million, tiered on the account's monthly total. */
  readonly resolverQueriesMillion: TieredPrice;
}

export interface PriceTable {
  /** Day the prices were read (YYYY-MM-DD). */
  readonly date: string;
  /** Where the table came from, for the report's footer. */
  readonly origin: string;
  /** Hours in a month (AWS's calculators use 730). */
  readonly hoursPerMonth: number;
  readonly global: GlobalPrices;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

const PRIVATELINK_PAGE = "aws.amazon.com/privatelink/pricing";
const ROUTE53_PAGE = "aws.amazon.com/route53/pricing";

const endpointGbTiers = (confidence: "H" | "M" | "L", note = ""): TieredPrice => ({
  unit: "GB processed by interface endpoints (regional monthly total)",
  tiers: [
    { upTo: 1_000_000, usd: 0.01 },
    { upTo: 5_000_000, usd: 0.006 },
    { usd: 0.004 },
  ],
  source: `VpcEndpoint-Bytes; ${PRIVATELINK_PAGE}: first 1 PB 0.01, next 4 PB 0.006, over 5 PB 0.004${note}`,
  confidence,
});

const profiles = (confidence: "H" | "M" | "L", note = ""): Pick<RegionPrices, "profileAccountHour" | "profileAssociationHour"> => ({
  profileAccountHour: { usd: 0.75, unit: "owner account-region hour (first 100 VPC associations)", source: `${ROUTE53_PAGE}, Route 53 Profiles${note}`, confidence },
  profileAssociationHour: { usd: 0.0014, unit: "VPC association-hour beyond 100", source: `${ROUTE53_PAGE}, Route 53 Profiles${note}`, confidence },
});

const TOKYO: RegionPrices = {
  interfaceEndpointHour: { usd: 0.014, unit: "endpoint-AZ hour", source: "APN1-VpcEndpoint-Hours (AmazonVPC offer, ap-northeast-1), as transcribed by two public cost write-ups of 2026-09", confidence: "M" },
  interfaceEndpointGb: endpointGbTiers("H", " (same tiers in every region, English and Japanese pages)"),
  endpointServiceRemoteRegionHour: { usd: 0.05, unit: "remote region-hour", source: "APN1-VpcEndpoint-Service-Hours; three public sources citing the PrivateLink pricing page agree", confidence: "M" },
  nlbHour: { usd: 0.0243, unit: "load balancer-hour", source: "APN1-LoadBalancerUsage (AWSELB), two public transcriptions", confidence: "M" },
  nlcuHour: { usd: 0.006, unit: "NLCU-hour", source: "APN1-LCUUsage (AWSELB), two public transcriptions", confidence: "M" },
  resolverEniHour: { usd: 0.125, unit: "ENI-hour", source: `${ROUTE53_PAGE}, Resolver endpoints: the us-east-1 figure; Tokyo assumed equal, not verified`, confidence: "L" },
  interRegionOutGb: { usd: 0.09, unit: "GB sent to another region", source: "APN1-...-AWS-Out-Bytes (AWSDataTransfer, InterRegion Outbound), Classmethod 2025-04; this is the 0.09 USD/GB seed 004 quotes, a transfer rate, not a PrivateLink fee", confidence: "M" },
  transitGatewayAttachmentHour: { usd: 0.07, unit: "attachment-hour", source: "APN1-TransitGateway-Hours (AmazonVPC), Classmethod", confidence: "M" },
  transitGatewayGb: { usd: 0.02, unit: "GB sent into the transit gateway", source: "APN1-TransitGateway-Bytes (AmazonVPC), Classmethod 2026-01", confidence: "M" },
  ...profiles("M"),
};

/**
 * The bundled table. Regions: those of the bundled example and the tests. Read 2026-09-17 to 2026-09-20
 * (see each price); `../docs/cost.md` lists the sources.
 */
export const BUNDLED_PRICES: PriceTable = {
  date: "2026-09-20",
  origin: "bundled with privatelink-cdktf (aws/prices.ts)",
  hoursPerMonth: 730,
  global: {
    hostedZoneMonth: {
      unit: "hosted zone-month",
      tiers: [{ upTo: 25, usd: 0.5 }, { usd: 0.1 }],
      source: `${ROUTE53_PAGE}: 0.50 for each of the first 25 hosted zones, 0.10 for each further zone (per account)`,
      confidence: "H",
    },
    resolverQueriesMillion: {
      unit: "million Resolver endpoint queries",
      tiers: [{ upTo: 1_000, usd: 0.4 }, { usd: 0.2 }],
      source: `${ROUTE53_PAGE}: 0.40 per million for the first billion queries a month, 0.20 after`,
      confidence: "H",
    },
  },
  regions: {
    "us-east-1": {
      interfaceEndpointHour: { usd: 0.01, unit: "endpoint-AZ hour", source: `VpcEndpoint-Hours; ${PRIVATELINK_PAGE}`, confidence: "H" },
      interfaceEndpointGb: endpointGbTiers("H"),
      endpointServiceRemoteRegionHour: { usd: 0.05, unit: "remote region-hour", source: "VpcEndpoint-Service-Hours; three public sources citing the PrivateLink pricing page agree", confidence: "M" },
      nlbHour: { usd: 0.0225, unit: "load balancer-hour", source: "LoadBalancerUsage (AWSELB), two public transcriptions", confidence: "M" },
      nlcuHour: { usd: 0.006, unit: "NLCU-hour", source: "LCUUsage (AWSELB), two public transcriptions", confidence: "M" },
      resolverEniHour: { usd: 0.125, unit: "ENI-hour", source: `${ROUTE53_PAGE}, Resolver endpoints (transcription of 2026-09-20)`, confidence: "H" },
      interRegionOutGb: { usd: 0.02, unit: "GB sent to another region", source: "USE1-...-AWS-Out-Bytes (AWSDataTransfer, InterRegion Outbound); 0.01 to us-east-2 is not modelled", confidence: "M" },
      transitGatewayAttachmentHour: { usd: 0.05, unit: "attachment-hour", source: "TransitGateway-Hours (AmazonVPC), as infracost prices it", confidence: "H" },
      transitGatewayGb: { usd: 0.02, unit: "GB sent into the transit gateway", source: "TransitGateway-Bytes (AmazonVPC)", confidence: "M" },
      ...profiles("M"),
    },
    "ap-northeast-1": TOKYO,
    // Osaka: no public transcription of its offer was found, and this project has no AWS account to read
    // the offer with. Tokyo's prices are used as an assumption, every one marked L: refresh them.
    "ap-northeast-3": Object.fromEntries(
      Object.entries(TOKYO).map(([key, price]) => [key, { ...price, source: `assumed equal to ap-northeast-1 (${price.source}); not verified for Osaka, use --refresh`, confidence: "L" }]),
    ) as unknown as RegionPrices,
  },
};

/** Cost of `quantity` units on a tiered price, starting at `already` units used this month. */
export function tieredCost(price: TieredPrice, quantity: number, already = 0): number {
  let cost = 0;
  let at = already;
  let left = quantity;
  for (const tier of price.tiers) {
    if (left <= 0) break;
    const room = tier.upTo === undefined ? left : Math.max(0, tier.upTo - at);
    const used = Math.min(room, left);
    cost += used * tier.usd;
    at += used;
    left -= used;
  }
  return cost;
}
