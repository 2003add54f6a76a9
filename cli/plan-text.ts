/**
 * A stack's plan as text, rendered from `terraform show -json` (which the summary reads anyway): what
 * `terraform show` prints, in the same shape (`# address will be created`, `+`/`~`/`-` per attribute, what
 * forces a replacement), without a second run of terraform, which costs a load of the AWS provider's schema
 * (5 to 6 s of one core) per stack. Sensitive values stay hidden, unknown ones read "(known after apply)".
 */

const HEADERS: Record<string, string> = {
  create: "will be created",
  delete: "will be destroyed",
  update: "will be updated in-place",
  replace: "must be replaced",
  read: "will be read during apply",
};

function actionOf(actions: readonly string[]): keyof typeof HEADERS | undefined {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  return undefined;
}

const SYMBOL: Record<string, string> = { create: "+", delete: "-", update: "~", replace: "-/+", read: "<=" };

/** A value as HCL-like text (strings quoted, objects and lists inline when short). */
function value(v: unknown, indent: string): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  const inner = `${indent}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => value(x, inner));
    const line = `[${items.join(", ")}]`;
    return line.length <= 80 && !line.includes("\n") ? line : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== null && x !== undefined);
  if (entries.length === 0) return "{}";
  const width = Math.max(...entries.map(([k]) => k.length));
  return `{\n${entries.map(([k, x]) => `${inner}${k.padEnd(width)} = ${value(x, inner)}`).join("\n")}\n${indent}}`;
}

const isSensitive = (mask: unknown, key: string) => mask === true || (typeof mask === "object" && mask !== null && (mask as Record<string, unknown>)[key] === true);
const isUnknown = (mask: unknown, key: string) => typeof mask === "object" && mask !== null && (mask as Record<string, unknown>)[key] === true;

/** One resource change as `terraform show` lays it out. */
function renderChange(change: any): string[] {
  const action = actionOf(change.change?.actions ?? []);
  const importing = change.change?.importing;
  if (!action && importing) {
    return [`  # ${change.address} will be imported`, `    resource ${JSON.stringify(change.type)} ${JSON.stringify(change.name)} {`, `        id = ${JSON.stringify(importing.id ?? "")}`, "    }", ""];
  }
  if (!action) return [];
  const { before, after, after_unknown: unknown, before_sensitive: beforeSensitive, after_sensitive: afterSensitive } = change.change;
  const forcing = new Set<string>((change.change.replace_paths ?? []).map((p: unknown[]) => String(p[0])));
  const lines = [`  # ${change.address} ${HEADERS[action]}${change.action_reason === "delete_because_no_resource_config" ? " (it is no longer in the configuration)" : ""}`];
  if (importing) lines.push(`  # (imported from ${JSON.stringify(importing.id ?? "")})`);
  lines.push(`  ${SYMBOL[action]} resource ${JSON.stringify(change.type)} ${JSON.stringify(change.name)} {`);
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {}), ...Object.keys(unknown ?? {})])].sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  const show = (v: unknown, sensitive: unknown, key: string, indent: string) => (isSensitive(sensitive, key) ? "(sensitive value)" : value(v, indent));
  for (const key of keys) {
    const b = before?.[key];
    const a = after?.[key];
    const pad = key.padEnd(width);
    const force = forcing.has(key) ? " # forces replacement" : "";
    if (action === "delete") {
      if (b !== null && b !== undefined) lines.push(`      - ${pad} = ${show(b, beforeSensitive, key, "      ")} -> null`);
    } else if (isUnknown(unknown, key)) {
      lines.push(`      ${action === "create" ? "+" : "~"} ${pad} = ${action === "create" || b === null || b === undefined ? "" : `${show(b, beforeSensitive, key, "      ")} -> `}(known after apply)${force}`);
    } else if (action === "create" || before === null || before === undefined) {
      if (a !== null && a !== undefined) lines.push(`      + ${pad} = ${show(a, afterSensitive, key, "      ")}`);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      lines.push(`      ~ ${pad} = ${show(b, beforeSensitive, key, "      ")} -> ${show(a, afterSensitive, key, "      ")}${force}`);
    }
  }
  lines.push("    }", "");
  return lines;
}

/** The plan's changes and its summary line, or undefined when nothing changes. */
export function planText(plan: any): string | undefined {
  const changes = (plan.resource_changes ?? []).filter((c: any) => c.mode === "managed" && (actionOf(c.change?.actions ?? []) || c.change?.importing));
  if (changes.length === 0) return undefined;
  const count = (a: string) => changes.filter((c: any) => actionOf(c.change.actions) === a).length;
  const imports = changes.filter((c: any) => c.change.importing).length;
  const lines = ["Terraform will perform the following actions:", "", ...changes.flatMap(renderChange)];
  lines.push(`Plan: ${imports > 0 ? `${imports} to import, ` : ""}${count("create") + count("replace")} to add, ${count("update")} to change, ${count("delete") + count("replace")} to destroy.`);
  const outputs = Object.entries<any>(plan.output_changes ?? {}).filter(([, c]) => actionOf(c.actions ?? []));
  if (outputs.length) lines.push("", "Changes to Outputs:", ...outputs.map(([name, c]) => `  ${SYMBOL[actionOf(c.actions)!]} ${name}${c.after_sensitive ? " = (sensitive value)" : c.after_unknown ? " = (known after apply)" : ""}`));
  return `${lines.join("\n")}\n`;
}
