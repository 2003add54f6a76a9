/**
 * `privatelink cost [--topology FILE] [--format md|json] [--traffic FILE] [--prices FILE] [--refresh [--save-prices FILE]]`:
 * the monthly cost of the topology per stack and line item, the decentralized alternative, the saving
 * and the break-even. No credentials needed, except for --refresh (pricing:GetProducts).
 */
import * as fs from "fs";
import { BUNDLED_PRICES, PriceTable } from "../aws/prices";
import { CostReport, estimate, LineItem, UnknownPriceRegionError } from "../cost/estimate";
import { loadPriceTable, PriceTableError, refreshPrices } from "../cost/price-list";
import { loadTrafficFile, NO_TRAFFIC, TrafficError } from "../cost/traffic";
import { loadTopologyFile } from "../topology/load";
import { TopologyModel } from "../topology/model";
import { TopologyError } from "../topology/problems";
import { CommandSpec, FlagSpec, outputPath, Parsed, stringFlag, switchFlag, UsageError } from "./kit";

export interface CostArgs {
  readonly format: "md" | "json";
  readonly traffic?: string;
  readonly prices?: string;
  readonly refresh: boolean;
  readonly savePrices?: string;
}

/** The flags of `privatelink cost` (its --topology comes from the command line kit). */
export const COST_FLAGS: FlagSpec[] = [
  { name: "--format", value: "FORMAT", choices: ["md", "json"], help: "Markdown (default) or JSON" },
  { name: "--traffic", value: "FILE", path: "read-file", help: "declared traffic: data processed per spoke, on-prem network and consumer" },
  { name: "--prices", value: "FILE", path: "read-file", help: "a price table (JSON, as --save-prices writes it) instead of the bundled one" },
  { name: "--refresh", help: "read the prices from the AWS Price List API (pricing:GetProducts)" },
  { name: "--save-prices", value: "FILE", path: "write-file", help: "with --refresh: write the prices read" },
];

export function costArgs(parsed: Parsed, spec: CommandSpec): CostArgs {
  const savePrices = stringFlag(parsed, "--save-prices");
  const refresh = switchFlag(parsed, "--refresh");
  if (savePrices && !refresh) throw new UsageError("--save-prices writes the prices --refresh read: add --refresh", spec);
  return {
    format: (stringFlag(parsed, "--format") as CostArgs["format"] | undefined) ?? "md",
    traffic: stringFlag(parsed, "--traffic"),
    prices: stringFlag(parsed, "--prices"),
    refresh,
    savePrices: savePrices ? outputPath("--save-prices", savePrices, spec) : undefined,
  };
}

/** Every region the topology prices. */
export function regionsOf(model: TopologyModel): string[] {
  return [...new Set([...model.vpcs.values()].map((v) => v.region).concat(model.services.map((s) => s.region)))].sort();
}

export interface CostIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Runs the command; returns the exit code (2: bad input, 1: the Price List API failed). */
export async function costCommand(args: CostArgs, topologyFile: string, io: CostIo): Promise<number> {
  try {
    const { model } = loadTopologyFile(topologyFile);
    const traffic = args.traffic ? loadTrafficFile(args.traffic, model) : NO_TRAFFIC;
    let table: PriceTable = args.prices ? loadPriceTable(args.prices) : BUNDLED_PRICES;
    if (args.refresh) {
      let refreshed;
      try {
        refreshed = await refreshPrices(regionsOf(model), table);
      } catch (error) {
        io.err(`privatelink cost --refresh: the Price List API failed: ${(error as Error).message}\n`);
        return 1;
      }
      table = refreshed.table;
      for (const line of refreshed.kept) io.err(`privatelink cost --refresh: ${line}\n`);
      if (args.savePrices) fs.writeFileSync(args.savePrices, `${JSON.stringify(table, null, 2)}\n`);
    }
    const report = estimate(model, table, { traffic });
    io.out(args.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatCostMarkdown(report));
    return 0;
  } catch (error) {
    if (error instanceof TopologyError || error instanceof TrafficError || error instanceof PriceTableError || error instanceof UnknownPriceRegionError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const usd = (n: number): string => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const rate = (n: number): string => String(Number(n.toPrecision(6)));
const qty = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

function table(lines: readonly LineItem[], total: number): string {
  const rows = lines.map((l) => `| ${l.stack} | ${l.item}${l.confidence === "L" ? " (L)" : ""} | ${l.region} | ${l.account} | ${qty(l.quantity)} ${l.unit} | ${rate(l.unitPriceUsd)} | ${usd(l.monthlyUsd)} |`);
  return ["| Stack | Item | Region | Paid by | Quantity | USD per unit | USD/month |", "|---|---|---|---|---:|---:|---:|", ...rows, `| **Total** | | | | | | **${usd(total)}** |`].join("\n");
}

/** The report as Markdown (a pull-request comment, a doc page). */
export function formatCostMarkdown(report: CostReport): string {
  const parts: string[] = [];
  parts.push(`## Monthly cost of ${report.topology}`);
  parts.push(`Prices: ${report.prices.origin}, ${report.prices.date}; ${report.prices.hoursPerMonth} hours a month; USD, on-demand, before tax and discounts.`);
  parts.push(
    `**Centralized (this topology): ${usd(report.centralizedMonthlyUsd)} USD/month.** ` +
      `Decentralized alternative (the hub's services as endpoints in every spoke VPC): ${usd(report.decentralizedMonthlyUsd)} USD/month. ` +
      (report.savingMonthlyUsd >= 0 ? `**Saving: ${usd(report.savingMonthlyUsd)} USD/month.**` : `**Centralizing costs ${usd(-report.savingMonthlyUsd)} USD/month more.**`),
  );
  for (const b of report.breakEven) {
    parts.push(
      `Break-even, hub ${b.hub}: ${usd(b.fixedUsd)} USD/month only the centralized design pays; each spoke saves ${usd(b.savingPerSpokeUsd)} USD/month on average; ` +
        (b.breakEvenSpokes === null ? `at the declared traffic no number of spokes pays it back (it has ${b.spokes}).` : `centralizing pays from ${b.breakEvenSpokes} spoke${b.breakEvenSpokes === 1 ? "" : "s"} (it has ${b.spokes}).`),
    );
  }
  parts.push("### Per stack\n\n| Stack | USD/month |\n|---|---:|\n" + report.perStack.map((s) => `| ${s.stack} | ${usd(s.monthlyUsd)} |`).join("\n"));
  parts.push("### Line items (this topology)\n\n" + table(report.lineItems, report.centralizedMonthlyUsd));
  parts.push("<details><summary>Decentralized alternative, line by line</summary>\n\n" + table(report.decentralizedLineItems, report.decentralizedMonthlyUsd) + "\n\n</details>");
  parts.push("### Notes\n\n" + report.notes.map((n) => `- ${n}`).join("\n"));
  if (report.lowConfidence.length > 0) {
    parts.push("### Assumed prices (L): refresh before relying on them\n\n" + report.lowConfidence.map((n) => `- ${n}`).join("\n"));
  }
  return `${parts.join("\n\n")}\n`;
}

/** The monthly cost of a change, for the plan summary. */
export interface CostDelta {
  readonly beforeUsd?: number;
  readonly afterUsd: number;
  readonly deltaUsd?: number;
  readonly perStack: ReadonlyArray<{ readonly stack: string; readonly beforeUsd: number; readonly afterUsd: number }>;
  readonly prices: string;
}

/**
 * Cost of the topology, and of the base topology (the pull request's target branch) when given: never
 * throws, a problem becomes the section's text (a plan summary must not fail on a price table).
 */
export function costOfChange(model: TopologyModel, options: { baseTopology?: string; traffic?: string } = {}): { markdown: string; json?: CostDelta } {
  try {
    const traffic = options.traffic ? loadTrafficFile(options.traffic, model) : NO_TRAFFIC;
    const after = estimate(model, BUNDLED_PRICES, { traffic });
    let before: CostReport | undefined;
    if (options.baseTopology) {
      const base = loadTopologyFile(options.baseTopology).model;
      // The traffic of clients the base does not have yet is left out of it.
      const keep = <V>(map: ReadonlyMap<string, V>, names: Set<string>) => new Map([...map].filter(([k]) => names.has(k)));
      const baseTraffic = {
        ...traffic,
        spokes: keep(traffic.spokes, new Set(base.spokes.map((s) => s.name))),
        onPrem: keep(traffic.onPrem, new Set(base.onPrem.map((o) => o.name))),
        consumers: keep(traffic.consumers, new Set(base.consumers.map((c) => `${c.service.name}/${c.name}`))),
      };
      before = estimate(base, BUNDLED_PRICES, { traffic: baseTraffic });
    }
    const stacks = [...new Set([...(before?.perStack ?? []).map((s) => s.stack), ...after.perStack.map((s) => s.stack)])];
    const of = (r: CostReport | undefined, stack: string) => r?.perStack.find((s) => s.stack === stack)?.monthlyUsd ?? 0;
    const json: CostDelta = {
      beforeUsd: before?.centralizedMonthlyUsd,
      afterUsd: after.centralizedMonthlyUsd,
      deltaUsd: before ? Math.round((after.centralizedMonthlyUsd - before.centralizedMonthlyUsd) * 100) / 100 : undefined,
      perStack: stacks.map((stack) => ({ stack, beforeUsd: of(before, stack), afterUsd: of(after, stack) })),
      prices: `${after.prices.origin}, ${after.prices.date}`,
    };
    const signed = (n: number) => `${n > 0 ? "+" : n < 0 ? "−" : "±"}${usd(Math.abs(n))}`;
    const lines: string[] = [];
    if (json.deltaUsd !== undefined) {
      lines.push(`### Monthly cost: ${usd(json.beforeUsd!)} → ${usd(json.afterUsd)} USD (${signed(json.deltaUsd)})`, "");
      const changed = json.perStack.filter((s) => Math.abs(s.afterUsd - s.beforeUsd) >= 0.005);
      if (changed.length > 0) {
        lines.push("| stack | before | after | change |", "|---|---:|---:|---:|");
        for (const s of changed) lines.push(`| ${s.stack} | ${usd(s.beforeUsd)} | ${usd(s.afterUsd)} | ${signed(s.afterUsd - s.beforeUsd)} |`);
        lines.push("");
      }
    } else {
      lines.push(`### Monthly cost: ${usd(json.afterUsd)} USD`, "", "(pass --cost-base with the target branch's topology to see the change's delta)", "");
    }
    lines.push(`Prices: ${json.prices}; on-demand, fixed part${options.traffic ? " and the declared traffic" : ""}; details: \`privatelink cost\`.`);
    return { markdown: `${lines.join("\n")}\n`, json };
  } catch (error) {
    if (error instanceof TopologyError || error instanceof TrafficError || error instanceof UnknownPriceRegionError) {
      return { markdown: `### Monthly cost: not available\n\n\`\`\`\n${error.message}\n\`\`\`\n` };
    }
    throw error;
  }
}
