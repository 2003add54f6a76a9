/**
 * The pull-request summary of a set of plans (`terraform show -json` of each stack's saved plan): per
 * stack and per account/region, action counts; destructive changes first, with why (`replace_paths`);
 * then what network reviewers look for. Markdown for a comment, JSON for machines.
 */

/** Where a change lands: an account and region (from the provider alias), or Terraform itself. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

export interface StackPlan {
  readonly stack: string;
  /** `terraform show -json` of the stack's plan. */
  readonly plan: any;
  /** The account and region of each provider alias of the stack. */
  readonly places: ReadonlyMap<string, Place>;
  /** The stack is retired (removed from the topology). */
  readonly retired?: boolean;
}

export interface Counts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  /** Resources adopted by import blocks (whatever else the plan does to them). */
  import: number;
}

/** Counts of a plan that changes nothing. */
export const NO_COUNTS: Readonly<Counts> = Object.freeze({ create: 0, update: 0, delete: 0, replace: 0, import: 0 });

export interface Destructive {
  readonly stack: string;
  readonly address: string;
  readonly action: "delete" | "replace";
  /** Attributes forcing the replacement. */
  readonly because: readonly string[];
}

export interface NetworkChange {
  readonly stack: string;
  readonly address: string;
  readonly kind: "ingress" | "principals" | "acceptance" | "private-dns" | "zone-association" | "resolver-addresses" | "endpoint-policy";
  readonly change: "added" | "removed" | "changed";
  readonly detail: string;
}

export interface PlanSummary {
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly account: string; readonly region: string; readonly retired: boolean; readonly counts: Counts }>;
  readonly totals: Counts;
  readonly destructive: readonly Destructive[];
  readonly network: readonly NetworkChange[];
}

const TERRAFORM_ITSELF: Place = { account: "(terraform)", region: "-" };

/** The provider alias a resource address uses, from the plan's configuration. */
function aliasesOf(plan: any): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of plan.configuration?.root_module?.resources ?? []) {
    const key: string = r.provider_config_key ?? "";
    map.set(r.address, key.includes(".") ? key.slice(key.indexOf(".") + 1) : key);
  }
  return map;
}

function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, "");
}

function kindOf(actions: string[]): keyof Counts | undefined {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  return undefined;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const inputOf = (v: any) => v?.input ?? {};

/** What a network reviewer looks for in one resource change. */
function networkChanges(stack: string, change: any): NetworkChange[] {
  const { type, address } = change;
  const actions: string[] = change.change.actions;
  const before = change.change.before ?? undefined;
  const after = change.change.after ?? undefined;
  const out: NetworkChange[] = [];
  const add = (kind: NetworkChange["kind"], c: NetworkChange["change"], detail: string) => out.push({ stack, address, kind, change: c, detail });
  const created = actions.includes("create");
  const deleted = actions.includes("delete");
  switch (type) {
    case "aws_vpc_security_group_ingress_rule": {
      const source = (v: any) => `${v.ip_protocol}/${v.from_port ?? "*"}-${v.to_port ?? "*"} from ${v.cidr_ipv4 ?? v.cidr_ipv6 ?? v.referenced_security_group_id ?? v.prefix_list_id ?? "(known after apply)"}`;
      if (deleted && before) add("ingress", "removed", source(before));
      if (created && after) add("ingress", "added", source(after));
      break;
    }
    case "aws_vpc_endpoint_service": {
      const principals = (v: any) => new Set(list(v?.allowed_principals));
      const [b, a] = [principals(before), principals(after)];
      for (const p of a) if (!b.has(p)) add("principals", "added", p);
      for (const p of b) if (!a.has(p)) add("principals", "removed", p);
      if (after && before?.acceptance_required !== after.acceptance_required) add("acceptance", before ? "changed" : "added", `acceptance_required ${before?.acceptance_required ?? "-"} -> ${after.acceptance_required}`);
      break;
    }
    case "aws_vpc_endpoint_service_allowed_principal":
      if (deleted && before) add("principals", "removed", before.principal_arn);
      if (created && after) add("principals", "added", after.principal_arn);
      break;
    case "aws_vpc_endpoint":
      if ((before?.private_dns_enabled ?? false) !== (after?.private_dns_enabled ?? false) && (before || after?.private_dns_enabled)) {
        add("private-dns", "changed", `private_dns_enabled ${before?.private_dns_enabled ?? "-"} -> ${after?.private_dns_enabled ?? "-"} (${(after ?? before).service_name})`);
      }
      if (after && (before ? samePolicy(before.policy, after.policy) === false : typeof after.policy === "string")) {
        add("endpoint-policy", before ? "changed" : "added", `${after.service_name}: ${describePolicy(before?.policy)} -> ${describePolicy(after.policy)}`);
      }
      break;
    case "aws_vpc_endpoint_connection_accepter":
      if (created && after) add("acceptance", "added", `connection of ${after.vpc_endpoint_id ?? "(the endpoint created by this change)"} accepted`);
      if (deleted && before) add("acceptance", "removed", `connection of ${before.vpc_endpoint_id} no longer accepted`);
      break;
    case "terraform_data": {
      // The handshake's pairs: associate on create, disassociate on destroy.
      const describe = (v: any) => `${inputOf(v).zone_name} <-> ${inputOf(v).vpc_id} (${inputOf(v).vpc_region})`;
      if (deleted && before && inputOf(before).zone_name) add("zone-association", "removed", describe(before));
      if (created && after && inputOf(after).zone_name) add("zone-association", "added", describe(after));
      break;
    }
    case "aws_route53_zone_association":
      if (deleted && before) add("zone-association", "removed", `${before.zone_id} <-> ${before.vpc_id} (${before.vpc_region})`);
      if (created && after) add("zone-association", "added", `${after.zone_id} <-> ${after.vpc_id} (${after.vpc_region})`);
      break;
    case "aws_route53_resolver_endpoint": {
      const ips = (v: any) => (v?.ip_address ?? []).map((a: any) => `${a.subnet_id}:${a.ip ?? "(auto)"}`).sort().join(", ");
      if (ips(before) !== ips(after)) add("resolver-addresses", before && after ? "changed" : after ? "added" : "removed", `${ips(before) || "-"} -> ${ips(after) || "-"}`);
      break;
    }
  }
  return out;
}

export function summarize(plans: readonly StackPlan[]): PlanSummary {
  const stacks: Array<PlanSummary["stacks"][number]> = [];
  const totals: Counts = { ...NO_COUNTS };
  const destructive: Destructive[] = [];
  const network: NetworkChange[] = [];
  for (const { stack, plan, places, retired } of plans) {
    const aliases = aliasesOf(plan);
    const groups = new Map<string, { place: Place; counts: Counts }>();
    for (const change of plan.resource_changes ?? []) {
      if (change.mode !== "managed") continue;
      const actions: string[] = change.change.actions;
      const kind = kindOf(actions);
      const imported = change.change.importing !== undefined && change.change.importing !== null;
      if (!kind && !imported) continue;
      const alias = aliases.get(configAddress(change.address));
      // A resource removed from the configuration has no alias there: a one-provider stack's is its provider.
      const only = places.size === 1 ? [...places.values()][0] : undefined;
      const place = change.type === "terraform_data" ? TERRAFORM_ITSELF : places.get(alias ?? "") ?? only ?? { account: alias ?? "?", region: "?" };
      const key = `${place.account}/${place.region}`;
      if (!groups.has(key)) groups.set(key, { place, counts: { ...NO_COUNTS } });
      if (imported) {
        groups.get(key)!.counts.import++;
        totals.import++;
      }
      if (!kind) continue;
      groups.get(key)!.counts[kind]++;
      totals[kind]++;
      if (kind === "delete" || kind === "replace") {
        destructive.push({ stack, address: change.address, action: kind, because: (change.change.replace_paths ?? []).map((p: unknown[]) => p.join(".")) });
      }
      network.push(...networkChanges(stack, change));
    }
    for (const { place, counts } of groups.values()) stacks.push({ stack, account: place.account, region: place.region, retired: retired ?? false, counts });
  }
  stacks.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.stack.localeCompare(b.stack));
  return { stacks, totals, destructive, network };
}

const KIND_TITLES: Record<NetworkChange["kind"], string> = {
  ingress: "Security group ingress",
  principals: "Endpoint service principals",
  acceptance: "Acceptance",
  "private-dns": "Private DNS",
  "zone-association": "Zone associations",
  "resolver-addresses": "Resolver addresses",
  "endpoint-policy": "Endpoint policies",
};

/** Whether two policy strings are the same document (white space and key order aside); undefined when unknown. */
function samePolicy(a: unknown, b: unknown): boolean | undefined {
  if (typeof a !== "string" || typeof b !== "string") return a === b ? true : a === undefined || b === undefined ? undefined : false;
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(value);
}

/** A policy in a line a reviewer reads: each statement's effect, principal, actions and conditions. */
export function describePolicy(policy: unknown): string {
  if (policy === undefined || policy === null) return "(known after apply)";
  if (typeof policy !== "string") return "(unknown)";
  let doc: any;
  try {
    doc = JSON.parse(policy);
  } catch {
    return "(not JSON)";
  }
  const statements: any[] = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  const short = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const text = statements
    .map((st) => {
      const conditions = Object.values(st.Condition ?? {}).flatMap((c: any) => Object.entries(c ?? {}).map(([k, v]) => `${k}=${short(v)}`));
      return `${st.Effect} ${short(st.Principal ?? st.NotPrincipal ?? "-")} ${short(st.Action ?? st.NotAction ?? "-")}${st.Resource && st.Resource !== "*" ? ` on ${short(st.Resource)}` : ""}${conditions.length ? ` if ${conditions.join(", ")}` : ""}`;
    })
    .join("; ");
  return text.length > 240 ? `${text.slice(0, 239)}…` : text || "(no statement)";
}

/** How a stack came out of `privatelink plan`. */
export type StackStatus = "changes" | "no-changes" | "failed" | "skipped";

export interface StackOutcome {
  readonly stack: string;
  readonly status: StackStatus;
  /** What the plan would do (zeros for a failed or skipped stack). */
  readonly counts: Counts;
  /** failed: the first lines of terraform's error. */
  readonly error?: readonly string[];
  /** skipped: why (what it waited for, or why --changed-since left it out). */
  readonly reason?: string;
  /** The plan was made before these upstream stacks had the outputs it reads: re-plan after they are applied. */
  readonly replanAfter?: readonly string[];
  /** `terraform show` of the saved plan. */
  readonly planText?: string;
  readonly retired?: boolean;
}

/** The estate for the diagram: each stack's home (account, region) and what it reads from. */
export interface EstateGraph {
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly account: string; readonly region: string }>;
  /** [upstream, dependant]: the dependant reads the upstream's outputs. */
  readonly edges: ReadonlyArray<readonly [string, string]>;
}

export interface PlanReport {
  readonly outcomes: readonly StackOutcome[];
  readonly summary: PlanSummary;
  readonly graph: EstateGraph;
  /** The cost section (Markdown) and its JSON. */
  readonly cost?: { readonly markdown: string; readonly json: unknown };
  /** --changed-since: the reference compared with. */
  readonly changedSince?: string;
}

const STATUS_ORDER: Record<StackStatus, number> = { failed: 0, skipped: 1, changes: 2, "no-changes": 3 };

/** Failed stacks first, then skipped, changed, unchanged; by name within each. */
export function orderedOutcomes(outcomes: readonly StackOutcome[]): StackOutcome[] {
  return [...outcomes].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.stack.localeCompare(b.stack));
}

/** A GitHub comment holds 65,536 characters: the plan texts fill what the rest leaves, up to this. */
export const MARKDOWN_BUDGET = 60_000;

/** Markdown for a pull-request comment: the first line says whether every stack planned. */
export function summaryMarkdown(report: PlanReport): string {
  const { summary } = report;
  const outcomes = orderedOutcomes(report.outcomes);
  const failed = outcomes.filter((o) => o.status === "failed");
  const skipped = outcomes.filter((o) => o.status === "skipped");
  const t = summary.totals;
  const counts = `${t.import > 0 ? `${t.import} to import, ` : ""}${t.create} to create, ${t.update} to update, ${t.replace} to replace, ${t.delete} to delete`;
  const lines: string[] = [];
  if (failed.length > 0) {
    lines.push(`## ❌ privatelink plan FAILED for ${failed.length} of ${outcomes.length} stacks (${failed.map((o) => o.stack).join(", ")}): the changes below leave them out`, "");
  } else {
    lines.push(`## privatelink plan: ${counts}`, "");
  }
  if (failed.length > 0) {
    lines.push(`Planned: ${counts}, in the ${outcomes.length - failed.length - skipped.length} stacks that planned.`, "", "### Failed stacks", "");
    for (const o of failed) lines.push(`**${o.stack}**`, "", "```", ...(o.error ?? ["(no error text)"]).map(fence), "```", "");
  }
  const replan = outcomes.filter((o) => (o.replanAfter ?? []).length > 0);
  if (replan.length > 0) {
    lines.push("### Re-plan needed", "", "These plans were made before the stacks they read from had the outputs they need; `privatelink deploy --plan-set` applies the rest and stops before them.", "");
    for (const o of replan) lines.push(`- ${o.stack}: re-plan after ${o.replanAfter!.join(", ")} ${o.replanAfter!.length === 1 ? "is" : "are"} applied`);
    lines.push("");
  }
  if (summary.destructive.length > 0) {
    lines.push("### Destructive changes", "", "| stack | resource | action | because |", "|---|---|---|---|");
    for (const d of summary.destructive) lines.push(`| ${cell(d.stack)} | \`${cell(d.address)}\` | **${d.action}** | ${d.because.map((b) => `\`${cell(b)}\``).join(", ") || (d.action === "delete" ? "removed from the configuration" : "-")} |`);
    lines.push("");
  }
  if (summary.network.length > 0) {
    lines.push("### Network changes", "");
    for (const kind of Object.keys(KIND_TITLES) as Array<NetworkChange["kind"]>) {
      const items = summary.network.filter((n) => n.kind === kind);
      if (items.length === 0) continue;
      lines.push(`**${KIND_TITLES[kind]}**`, "");
      for (const n of items) lines.push(`- ${n.change === "removed" ? "➖" : n.change === "added" ? "➕" : "✏️"} ${n.change}: ${cell(n.detail)} (${n.stack})`);
      lines.push("");
    }
  }
  lines.push("### Stacks", "", "| stack | status | create | update | replace | delete | note |", "|---|---|---:|---:|---:|---:|---|");
  for (const o of outcomes) {
    const note = o.status === "failed" ? cell((o.error ?? [])[0] ?? "") : o.status === "skipped" ? cell(o.reason ?? "") : o.replanAfter?.length ? `re-plan after ${o.replanAfter.join(", ")}` : "";
    const status = o.status === "failed" ? "❌ **failed**" : o.status === "skipped" ? "⏭️ skipped" : o.status === "changes" ? "changes" : "no changes";
    lines.push(`| ${o.stack}${o.retired ? " (retired)" : ""} | ${status} | ${o.counts.create} | ${o.counts.update} | ${o.counts.replace} | ${o.counts.delete} | ${note} |`);
  }
  lines.push("");
  if (summary.stacks.length > 0) {
    lines.push("<details><summary>Changes per account and region</summary>", "", "| account | region | stack | create | update | replace | delete |", "|---|---|---|---:|---:|---:|---:|");
    for (const s of summary.stacks) lines.push(`| ${s.account} | ${s.region} | ${s.stack}${s.retired ? " (retired)" : ""} | ${s.counts.create} | ${s.counts.update} | ${s.counts.replace} | ${s.counts.delete} |`);
    lines.push("", "</details>", "");
  }
  lines.push("### Estate", "", "```mermaid", ...mermaid(report.graph, outcomes), "```", "");
  if (report.cost) lines.push(report.cost.markdown.trimEnd(), "");
  // Each stack's full plan, folded, while the comment has room.
  const texts = outcomes.filter((o) => o.planText && o.status === "changes");
  let used = lines.join("\n").length;
  const left: string[] = [];
  for (const o of texts) {
    const block = [`<details><summary>Plan of ${o.stack}</summary>`, "", "```", ...o.planText!.trimEnd().split("\n").map(fence), "```", "", "</details>", ""];
    const size = block.join("\n").length;
    if (used + size > MARKDOWN_BUDGET) {
      left.push(o.stack);
      continue;
    }
    lines.push(...block);
    used += size;
  }
  if (left.length > 0) lines.push(`The plan text of ${left.join(", ")} did not fit in this comment: see the logs (\`<outdir>/logs/plan/<stack>.log\`) or \`terraform show privatelink.tfplan\` in the stack's directory.`, "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The machine form: every stack with its status, failures counted. */
export function summaryJson(report: PlanReport): Record<string, unknown> {
  const outcomes = orderedOutcomes(report.outcomes);
  return {
    stacks: outcomes.map((o) => ({
      name: o.stack,
      status: o.status,
      add: o.counts.create,
      change: o.counts.update,
      destroy: o.counts.delete,
      replace: o.counts.replace,
      import: o.counts.import,
      error: o.error ? o.error.join("\n") : null,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.replanAfter?.length ? { replanAfter: o.replanAfter } : {}),
      ...(o.retired ? { retired: true } : {}),
    })),
    failed: outcomes.filter((o) => o.status === "failed").length,
    skipped: outcomes.filter((o) => o.status === "skipped").length,
    changed: outcomes.filter((o) => o.status === "changes").length,
    unchanged: outcomes.filter((o) => o.status === "no-changes").map((o) => o.stack),
    totals: report.summary.totals,
    destructive: report.summary.destructive,
    network: report.summary.network,
    places: report.summary.stacks,
    ...(report.changedSince ? { changedSince: report.changedSince } : {}),
    cost: report.cost?.json ?? null,
  };
}

/**
 * A Mermaid flowchart of the estate (GitHub renders it): stacks grouped by account and region, an arrow
 * from each stack to what reads its outputs; changed stacks marked, destroyed or failed ones red.
 */
export function mermaid(graph: EstateGraph, outcomes: readonly StackOutcome[]): string[] {
  const byStack = new Map(outcomes.map((o) => [o.stack, o]));
  const id = (stack: string) => `s_${stack.replace(/[^A-Za-z0-9_]/g, "_")}`;
  const lines = ["flowchart LR"];
  const groups = new Map<string, Array<{ stack: string }>>();
  for (const s of graph.stacks) {
    const key = `${s.account} / ${s.region}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
  }
  [...groups.keys()].sort().forEach((key, i) => {
    lines.push(`  subgraph g${i}["${label(key)}"]`);
    for (const { stack } of groups.get(key)!.sort((a, b) => a.stack.localeCompare(b.stack))) {
      const o = byStack.get(stack);
      const c = o?.counts;
      const detail = !o ? "not planned" : o.status === "failed" ? "FAILED" : o.status === "skipped" ? "skipped" : o.status === "no-changes" ? "no changes" : `${c!.import ? `⇐${c!.import} ` : ""}+${c!.create} ~${c!.update} ±${c!.replace} -${c!.delete}`;
      lines.push(`    ${id(stack)}["${label(stack)}<br/>${label(detail)}"]`);
    }
    lines.push("  end");
  });
  for (const [from, to] of graph.edges) lines.push(`  ${id(from)} --> ${id(to)}`);
  lines.push("  classDef changed fill:#fff4c2,stroke:#b08800", "  classDef red fill:#ffd7d5,stroke:#cf222e,color:#82071e", "  classDef unchanged fill:#f6f8fa,stroke:#8c959f");
  const classed = (status: (o: StackOutcome) => boolean) => graph.stacks.filter((s) => byStack.has(s.stack) && status(byStack.get(s.stack)!)).map((s) => id(s.stack));
  const red = classed((o) => o.status === "failed" || o.counts.delete > 0 || o.counts.replace > 0);
  const changed = classed((o) => o.status === "changes").filter((s) => !red.includes(s));
  const unchanged = classed((o) => o.status === "no-changes" || o.status === "skipped");
  if (red.length) lines.push(`  class ${red.join(",")} red`);
  if (changed.length) lines.push(`  class ${changed.join(",")} changed`);
  if (unchanged.length) lines.push(`  class ${unchanged.join(",")} unchanged`);
  return lines;
}

/** Text inside a Mermaid label: no quotes, brackets or markup. */
function label(text: string): string {
  return text.replace(/["<>[\]{}|`]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Text inside a Markdown table cell or list item: no pipe, line break or HTML (a policy's text is the user's). */
function cell(text: string): string {
  return text
    .replace(/[&<>]/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt" }[c]};`)
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ");
}

/** A line inside a fenced block: a fence in terraform's text must not close ours. */
function fence(line: string): string {
  return line.replace(/^(\s*)```/, "$1\u200b```");
}
