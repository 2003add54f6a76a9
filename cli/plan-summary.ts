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
}

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
  readonly kind: "ingress" | "principals" | "acceptance" | "private-dns" | "zone-association" | "resolver-addresses";
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
      break;
    case "aws_vpc_endpoint_connection_accepter":
      if (created && after) add("acceptance", "added", `connection of ${after.vpc_endpoint_id} accepted`);
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
  const totals: Counts = { create: 0, update: 0, delete: 0, replace: 0 };
  const destructive: Destructive[] = [];
  const network: NetworkChange[] = [];
  for (const { stack, plan, places, retired } of plans) {
    const aliases = aliasesOf(plan);
    const groups = new Map<string, { place: Place; counts: Counts }>();
    for (const change of plan.resource_changes ?? []) {
      if (change.mode !== "managed") continue;
      const actions: string[] = change.change.actions;
      const kind = kindOf(actions);
      if (!kind) continue;
      const alias = aliases.get(configAddress(change.address));
      // A resource removed from the configuration has no alias there: a one-provider stack's is its provider.
      const only = places.size === 1 ? [...places.values()][0] : undefined;
      const place = change.type === "terraform_data" ? TERRAFORM_ITSELF : places.get(alias ?? "") ?? only ?? { account: alias ?? "?", region: "?" };
      const key = `${place.account}/${place.region}`;
      if (!groups.has(key)) groups.set(key, { place, counts: { create: 0, update: 0, delete: 0, replace: 0 } });
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
};

/** Markdown for a pull-request comment. */
export function summaryMarkdown(summary: PlanSummary, unchanged: readonly string[]): string {
  const t = summary.totals;
  const lines = [`## privatelink plan: ${t.create} to create, ${t.update} to update, ${t.replace} to replace, ${t.delete} to delete`, ""];
  if (summary.destructive.length > 0) {
    lines.push("### Destructive changes", "", "| stack | resource | action | because |", "|---|---|---|---|");
    for (const d of summary.destructive) lines.push(`| ${d.stack} | \`${d.address}\` | **${d.action}** | ${d.because.map((b) => `\`${b}\``).join(", ") || (d.action === "delete" ? "removed from the configuration" : "-")} |`);
    lines.push("");
  }
  if (summary.network.length > 0) {
    lines.push("### Network changes", "");
    for (const kind of Object.keys(KIND_TITLES) as Array<NetworkChange["kind"]>) {
      const items = summary.network.filter((n) => n.kind === kind);
      if (items.length === 0) continue;
      lines.push(`**${KIND_TITLES[kind]}**`, "");
      for (const n of items) lines.push(`- ${n.change === "removed" ? "➖" : n.change === "added" ? "➕" : "✏️"} ${n.change}: ${n.detail} (${n.stack})`);
      lines.push("");
    }
  }
  lines.push("### Per stack", "", "| account | region | stack | create | update | replace | delete |", "|---|---|---|---:|---:|---:|---:|");
  for (const s of summary.stacks) lines.push(`| ${s.account} | ${s.region} | ${s.stack}${s.retired ? " (retired)" : ""} | ${s.counts.create} | ${s.counts.update} | ${s.counts.replace} | ${s.counts.delete} |`);
  if (unchanged.length > 0) lines.push("", `No changes: ${unchanged.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}
