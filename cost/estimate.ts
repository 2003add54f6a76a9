/**
 * What a topology costs per month, line by line, and what its decentralized alternative (the hub's
 * services as endpoints in every spoke VPC, as in the seeds' starting point) would cost instead.
 *
 * Reads the validated model, a traffic declaration and a price table; no credentials, no network.
 * Every line is rounded to the cent and totals are sums of the rounded lines, so a reader can add up
 * the table. Tiered prices (endpoint processing, hosted zones, Resolver queries) are tiered on the
 * paying account's monthly total in the region, as AWS bills them.
 */
import { Price, PriceTable, RegionPrices, TieredPrice, tieredCost } from "../aws/prices";
import { ConsumerModel, EndpointServiceModel, HubModel, SpokeModel, SubnetModel, TopologyModel } from "../topology/model";
import { Flow, NO_TRAFFIC, Traffic } from "./traffic";

export type Confidence = "H" | "M" | "L";

export interface LineItem {
  /** Stack the cost belongs to (for the alternative: the stack that would hold it). */
  readonly stack: string;
  readonly item: string;
  readonly region: string;
  /** Account that pays (name in the topology). */
  readonly account: string;
  readonly quantity: number;
  readonly unit: string;
  /** USD per unit; for a tiered price, the rate of the tier the quantity starts in. */
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  readonly confidence: Confidence;
  /** The price's evidence (usage type or page). */
  readonly source: string;
}

export interface BreakEven {
  readonly hub: string;
  /** Monthly cost only the centralized design has (hub endpoints unless on-prem needs them anyway, zones, the hub's transit attachment). */
  readonly fixedUsd: number;
  /** What one more spoke saves on average (its own endpoints, minus what reaching the hub costs it). */
  readonly savingPerSpokeUsd: number;
  readonly spokes: number;
  /** Smallest number of spokes from which centralizing is cheaper; null when a spoke saves nothing. */
  readonly breakEvenSpokes: number | null;
}

export interface CostReport {
  readonly topology: string;
  readonly prices: { readonly date: string; readonly origin: string; readonly hoursPerMonth: number };
  readonly currency: "USD";
  /** What the topology builds. */
  readonly centralizedMonthlyUsd: number;
  /** The hub's services as endpoints in every spoke VPC (private DNS on, no zones, no handshake). */
  readonly decentralizedMonthlyUsd: number;
  /** decentralized − centralized: positive when centralizing saves. */
  readonly savingMonthlyUsd: number;
  readonly lineItems: readonly LineItem[];
  readonly decentralizedLineItems: readonly LineItem[];
  readonly perStack: ReadonlyArray<{ readonly stack: string; readonly monthlyUsd: number }>;
  readonly breakEven: readonly BreakEven[];
  /** What is priced by assumption, or not at all. */
  readonly notes: readonly string[];
  /** Prices marked L that the report used. */
  readonly lowConfidence: readonly string[];
}

/** A region the price table does not cover: reported with every use, never priced as zero. */
export class UnknownPriceRegionError extends Error {
  constructor(
    readonly regions: ReadonlyMap<string, readonly string[]>,
    readonly table: PriceTable,
  ) {
    super(
      `no prices for ${[...regions.keys()].join(", ")} in the price table (${table.origin}, ${table.date}; it has ${Object.keys(table.regions).sort().join(", ")}):\n` +
        [...regions].map(([region, uses]) => `  - ${region}: used by ${uses.join(", ")}`).join("\n") +
        "\n  fix: run `privatelink cost --refresh` (reads the AWS Price List API with your credentials) or pass --prices FILE with those regions",
    );
    this.name = "UnknownPriceRegionError";
  }
}

const cents = (usd: number): number => Math.round((usd + Number.EPSILON) * 100) / 100;
const sum = (values: readonly number[]): number => cents(values.reduce((a, b) => a + b, 0));
const azCount = (subnets: readonly SubnetModel[]): number => new Set(subnets.map((s) => s.az)).size;
const both = (f: Flow): number => f.sentGb + f.receivedGb;

/** Tiered quantities already used this month, per pool (account and region). */
class Pools {
  private readonly used = new Map<string, number>();
  charge(price: TieredPrice, key: string, quantity: number): { usd: number; rate: number } {
    const already = this.used.get(key) ?? 0;
    this.used.set(key, already + quantity);
    const tier = price.tiers.find((t) => t.upTo === undefined || already < t.upTo)!;
    return { usd: tieredCost(price, quantity, already), rate: tier.usd };
  }
}

class Ledger {
  readonly lines: LineItem[] = [];
  readonly pools = new Pools();
  readonly low = new Set<string>();

  constructor(private readonly hours: number) {}

  hourly(stack: string, item: string, region: string, account: string, units: number, price: Price, unit: string): number {
    return this.add({ stack, item, region, account, quantity: units * this.hours, unit, unitPriceUsd: price.usd, monthlyUsd: cents(units * this.hours * price.usd), confidence: price.confidence, source: price.source });
  }

  perUnit(stack: string, item: string, region: string, account: string, quantity: number, price: Price, unit: string): number {
    return this.add({ stack, item, region, account, quantity, unit, unitPriceUsd: price.usd, monthlyUsd: cents(quantity * price.usd), confidence: price.confidence, source: price.source });
  }

  tiered(stack: string, item: string, region: string, account: string, quantity: number, price: TieredPrice, pool: string, unit: string): number {
    const { usd, rate } = this.pools.charge(price, pool, quantity);
    return this.add({ stack, item, region, account, quantity, unit, unitPriceUsd: rate, monthlyUsd: cents(usd), confidence: price.confidence, source: price.source });
  }

  private add(line: LineItem): number {
    this.lines.push(line);
    if (line.confidence === "L") this.low.add(`${line.region}, per ${line.unit.replace(/s$/, "")}: ${line.unitPriceUsd} USD, ${line.source}`);
    return line.monthlyUsd;
  }
}

/** Prices of every region the topology uses; all missing regions reported at once. */
function regionPrices(model: TopologyModel, table: PriceTable): (region: string) => RegionPrices {
  const uses = new Map<string, string[]>();
  const use = (region: string, by: string) => {
    if (table.regions[region]) return;
    uses.set(region, [...(uses.get(region) ?? []), by]);
  };
  for (const hub of model.hubs) use(hub.vpc.region, `hub ${hub.name}`);
  for (const spoke of model.spokes) use(spoke.vpc.region, `spoke ${spoke.name}`);
  for (const service of model.services) {
    use(service.region, `PrivateLink service ${service.name}`);
    for (const c of service.consumers) use(c.vpc.region, `consumer ${service.name}/${c.name}`);
  }
  if (uses.size > 0) throw new UnknownPriceRegionError(uses, table);
  return (region) => table.regions[region];
}

export interface EstimateOptions {
  readonly traffic?: Traffic;
}

export function estimate(model: TopologyModel, table: PriceTable, options: EstimateOptions = {}): CostReport {
  const traffic = options.traffic ?? NO_TRAFFIC;
  const prices = regionPrices(model, table);
  const hours = table.hoursPerMonth;
  const central = new Ledger(hours);
  const alternative = new Ledger(hours);
  const notes: string[] = [];
  const spokeFlow = (s: SpokeModel): Flow => traffic.spokes.get(s.name) ?? { sentGb: 0, receivedGb: 0 };
  const breakEven: BreakEven[] = [];

  // Route 53 Profiles are billed per owner account and region (covering its first 100 VPC associations),
  // whatever number of Profiles it holds: the first hub of each account-region sharing through one carries it.
  const profileOwners = new Map<string, HubModel[]>();
  for (const hub of model.hubs.filter((h) => h.sharing === "profile")) {
    const key = `${hub.vpc.account.id}|${hub.vpc.region}`;
    profileOwners.set(key, [...(profileOwners.get(key) ?? []), hub]);
  }
  for (const hub of model.hubs) {
    const owners = profileOwners.get(`${hub.vpc.account.id}|${hub.vpc.region}`);
    breakEven.push(priceHub(hub, central, alternative, prices, table, traffic, spokeFlow, owners?.[0] === hub ? owners : undefined));
  }
  for (const service of model.services) {
    // The PrivateLink side is the same in both designs: priced in both ledgers so both totals are the estate's.
    for (const ledger of [central, alternative]) priceService(service, ledger, prices, traffic);
  }

  if (traffic.spokes.size === 0 && traffic.onPrem.size === 0 && traffic.consumers.size === 0) {
    notes.push("No traffic declared (--traffic FILE): per-GB lines show their rate with quantity 0; the totals are the fixed monthly part.");
  }
  if (model.spokes.some((s) => s.vpc.region !== s.hub.vpc.region)) {
    notes.push("Cross-region spokes reach the hub over inter-region transfer, billed by the sending region (the 0.09 USD/GB of seed 004 is Tokyo's inter-region rate, not a PrivateLink fee).");
  }
  notes.push(
    traffic.transit === "transitGateway"
      ? "Transit: one transit gateway attachment per hub and spoke VPC and the spokes' traffic processed; transit gateway peering attachments between regions are not priced."
      : "Transit between spokes and the hub (transit gateway, peering) is not priced: declare `transit: transitGateway` in the traffic file if centralizing adds it.",
  );
  if (model.services.some((s) => s.provider)) {
    notes.push("NLB capacity units are estimated from bytes only (TCP: 1 NLCU = 1 GB per hour), spread evenly over the month.");
  }
  notes.push("Zone associations, authorizations and the handshake are free; endpoint services cost nothing beyond their NLB and remote-region hours.");

  // Every stack of the topology, in synth order, even those that cost nothing.
  const perStack = new Map<string, number[]>(
    [...model.hubs.map((h) => h.stackName), ...model.spokes.map((s) => s.stackName), ...model.services.flatMap((s) => (s.stackName ? [s.stackName] : [])), ...model.consumers.map((c) => c.stackName)].map((name) => [name, []]),
  );
  for (const line of central.lines) perStack.set(line.stack, [...(perStack.get(line.stack) ?? []), line.monthlyUsd]);
  const centralizedMonthlyUsd = sum(central.lines.map((l) => l.monthlyUsd));
  const decentralizedMonthlyUsd = sum(alternative.lines.map((l) => l.monthlyUsd));
  return {
    topology: model.name,
    prices: { date: table.date, origin: table.origin, hoursPerMonth: hours },
    currency: "USD",
    centralizedMonthlyUsd,
    decentralizedMonthlyUsd,
    savingMonthlyUsd: cents(decentralizedMonthlyUsd - centralizedMonthlyUsd),
    lineItems: central.lines,
    decentralizedLineItems: alternative.lines,
    perStack: [...perStack].map(([stack, values]) => ({ stack, monthlyUsd: sum(values) })),
    breakEven,
    notes,
    lowConfidence: [...new Set([...central.low, ...alternative.low])].sort(),
  };
}

function priceHub(
  hub: HubModel,
  central: Ledger,
  alternative: Ledger,
  prices: (region: string) => RegionPrices,
  table: PriceTable,
  traffic: Traffic,
  spokeFlow: (s: SpokeModel) => Flow,
  /** The hubs sharing through Route 53 Profiles in this hub's account and region, when this hub carries their charge. */
  profileHubs?: readonly HubModel[],
): BreakEven {
  const region = hub.vpc.region;
  const p = prices(region);
  const account = hub.vpc.account.name;
  const stack = hub.stackName;
  const services = hub.services.length;
  const azs = azCount(hub.subnets);
  const endpointItem = `interface endpoints: ${services} services × ${azs} AZs`;
  const gbItem = "interface endpoint data processed";
  const pool = (a: string, r: string) => `${a}|${r}`;

  // The centralized design: what the topology builds.
  const hubEndpoints = central.hourly(stack, endpointItem, region, account, services * azs, p.interfaceEndpointHour, "endpoint-AZ hours");
  const zones = hub.services.reduce((n, s) => n + s.zones.length, 0);
  const zonesUsd = central.tiered(stack, `private hosted zones: ${zones}`, "global", account, zones, table.global.hostedZoneMonth, `zones|${account}`, "zone-months");
  const onPremFlows = hub.onPrem.map((o) => traffic.onPrem.get(o.name) ?? { sentGb: 0, receivedGb: 0, dnsQueriesMillion: 0 });
  const hubGb = hub.spokes.reduce((n, s) => n + both(spokeFlow(s)), 0) + onPremFlows.reduce((n, f) => n + both(f), 0);
  central.tiered(stack, gbItem, region, account, hubGb, p.interfaceEndpointGb, pool(account, region), "GB");
  const resolver = (ledger: Ledger) => {
    if (hub.onPrem.length === 0) return;
    const enis = hub.resolver.addresses.length;
    ledger.hourly(stack, `Resolver inbound endpoint: ${enis} ENIs`, region, account, enis, p.resolverEniHour, "ENI-hours");
    const queries = onPremFlows.reduce((n, f) => n + f.dnsQueriesMillion, 0);
    ledger.tiered(stack, "Resolver inbound queries", region, account, queries, table.global.resolverQueriesMillion, `queries|${account}`, "million queries");
  };
  resolver(central);
  // Route 53 Profiles: the owner account-region's hourly charge (first 100 VPC associations), and each
  // association beyond. Only the centralized design has it.
  let profileUsd = 0;
  if (profileHubs) {
    profileUsd += central.hourly(stack, `Route 53 Profiles: owner account-region${profileHubs.length > 1 ? ` (${profileHubs.length} hubs' Profiles)` : ""}`, region, account, 1, p.profileAccountHour, "account-region hours");
    const associations = profileHubs.reduce((n, h) => n + h.spokes.filter((s) => s.association === "profile").length, 0);
    if (associations > 100) profileUsd += central.hourly(stack, `Route 53 Profile VPC associations beyond 100: ${associations - 100}`, region, account, associations - 100, p.profileAssociationHour, "association-hours");
  }
  let hubTransit = 0;
  if (traffic.transit === "transitGateway") {
    hubTransit = central.hourly(stack, "transit gateway attachment (hub VPC)", region, account, 1, p.transitGatewayAttachmentHour, "attachment-hours");
  }
  const centralPerSpoke = hub.spokes.map((spoke) => {
    const f = spokeFlow(spoke);
    const sr = spoke.vpc.region;
    const sp = prices(sr);
    const sa = spoke.vpc.account.name;
    let usd = 0;
    if (sr !== region) {
      usd += central.perUnit(spoke.stackName, `inter-region transfer ${sr} → ${region} (to the hub's endpoints)`, sr, sa, f.sentGb, sp.interRegionOutGb, "GB");
      usd += central.perUnit(spoke.stackName, `inter-region transfer ${region} → ${sr} (answers, billed to the hub account)`, region, account, f.receivedGb, p.interRegionOutGb, "GB");
    }
    if (traffic.transit === "transitGateway") {
      usd += central.hourly(spoke.stackName, "transit gateway attachment (spoke VPC)", sr, sa, 1, sp.transitGatewayAttachmentHour, "attachment-hours");
      usd += central.perUnit(spoke.stackName, "transit gateway data processed (spoke → hub)", sr, sa, f.sentGb, sp.transitGatewayGb, "GB");
      usd += central.perUnit(spoke.stackName, "transit gateway data processed (hub → spoke, billed to the hub account)", region, account, f.receivedGb, p.transitGatewayGb, "GB");
    }
    return usd;
  });

  // The decentralized alternative: every spoke has its own endpoints with private DNS; the hub keeps its
  // endpoints and resolver only when on-prem networks use them.
  if (hub.onPrem.length > 0) {
    alternative.hourly(stack, endpointItem, region, account, services * azs, p.interfaceEndpointHour, "endpoint-AZ hours");
    alternative.tiered(stack, gbItem, region, account, onPremFlows.reduce((n, f) => n + both(f), 0), p.interfaceEndpointGb, pool(account, region), "GB");
    resolver(alternative);
  }
  const alternativePerSpoke = hub.spokes.map((spoke) => {
    const sr = spoke.vpc.region;
    const sp = prices(sr);
    const sa = spoke.vpc.account.name;
    const spokeAzs = azCount(spoke.vpc.subnets);
    return alternative.hourly(spoke.stackName, `interface endpoints: ${services} services × ${spokeAzs} AZs (in the spoke)`, sr, sa, services * spokeAzs, sp.interfaceEndpointHour, "endpoint-AZ hours");
  });
  for (const spoke of hub.spokes) {
    alternative.tiered(spoke.stackName, `${gbItem} (in the spoke)`, spoke.vpc.region, spoke.vpc.account.name, both(spokeFlow(spoke)), prices(spoke.vpc.region).interfaceEndpointGb, pool(spoke.vpc.account.name, spoke.vpc.region), "GB");
  }

  // Break-even: the cost only centralizing has, over what each spoke saves by not having its own endpoints.
  const fixedUsd = cents((hub.onPrem.length > 0 ? 0 : hubEndpoints) + zonesUsd + hubTransit + profileUsd);
  const savings = hub.spokes.length > 0
    ? hub.spokes.map((_, i) => alternativePerSpoke[i] - centralPerSpoke[i])
    : [services * azs * table.hoursPerMonth * p.interfaceEndpointHour.usd]; // a spoke like the hub, in its region
  const savingPerSpokeUsd = cents(savings.reduce((a, b) => a + b, 0) / savings.length);
  return {
    hub: hub.name,
    fixedUsd,
    savingPerSpokeUsd,
    spokes: hub.spokes.length,
    breakEvenSpokes: savingPerSpokeUsd > 0 ? Math.max(1, Math.ceil(fixedUsd / savingPerSpokeUsd - 1e-9)) : null,
  };
}

function priceService(service: EndpointServiceModel, ledger: Ledger, prices: (region: string) => RegionPrices, traffic: Traffic): void {
  const region = service.region;
  const p = prices(region);
  const flows = service.consumers.map((c) => traffic.consumers.get(`${service.name}/${c.name}`) ?? { sentGb: 0, receivedGb: 0 });
  if (service.provider && service.stackName) {
    const owner = service.provider.vpc.account.name;
    ledger.hourly(service.stackName, "network load balancer", region, owner, 1, p.nlbHour, "load balancer-hours");
    ledger.perUnit(service.stackName, "NLB capacity units (1 per GB processed)", region, owner, flows.reduce((n, f) => n + both(f), 0), p.nlcuHour, "NLCU-hours");
    const remote = new Set(service.consumers.map((c) => c.vpc.region).filter((r) => r !== region));
    if (remote.size > 0) {
      ledger.hourly(service.stackName, `cross-region access: ${remote.size} remote region${remote.size === 1 ? "" : "s"} (${[...remote].sort().join(", ")})`, region, owner, remote.size, p.endpointServiceRemoteRegionHour, "remote region-hours");
    }
  }
  service.consumers.forEach((consumer, i) => priceConsumer(service, consumer, flows[i], ledger, prices));
}

function priceConsumer(service: EndpointServiceModel, consumer: ConsumerModel, flow: Flow, ledger: Ledger, prices: (region: string) => RegionPrices): void {
  const region = consumer.vpc.region;
  const p = prices(region);
  const account = consumer.vpc.account.name;
  const azs = azCount(consumer.subnets);
  ledger.hourly(consumer.stackName, `interface endpoint: ${azs} AZs`, region, account, azs, p.interfaceEndpointHour, "endpoint-AZ hours");
  ledger.tiered(consumer.stackName, "interface endpoint data processed", region, account, both(flow), p.interfaceEndpointGb, `${account}|${region}`, "GB");
  if (consumer.crossRegion) {
    const sp = prices(service.region);
    // Answers from an AWS service are billed to the consumer; from our own service, to its owner.
    const answerPayer = service.provider ? service.provider.vpc.account.name : account;
    ledger.perUnit(consumer.stackName, `inter-region transfer ${region} → ${service.region}`, region, account, flow.sentGb, p.interRegionOutGb, "GB");
    ledger.perUnit(consumer.stackName, `inter-region transfer ${service.region} → ${region}${service.provider ? " (billed to the service owner)" : ""}`, service.region, answerPayer, flow.receivedGb, sp.interRegionOutGb, "GB");
  }
}
