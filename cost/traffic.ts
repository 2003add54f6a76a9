/**
 * The traffic a cost report prices (`privatelink cost --traffic FILE`): GB per month per spoke, on-prem
 * network and PrivateLink consumer, split by direction because inter-region transfer is billed by the
 * sending region. YAML or JSON; every problem is reported at once, with its line.
 *
 *   spokes:
 *     app-osaka: { sentGb: 60, receivedGb: 240 }     # through the hub's endpoints, seen from the spoke
 *   onPrem:
 *     datacenter: { sentGb: 10, receivedGb: 500, dnsQueriesMillion: 30 }
 *   privateLink:
 *     orders-api:
 *       consumers:
 *         virginia: { sentGb: 5, receivedGb: 20 }
 *   transit: transitGateway                           # price TGW attachments and processing (default none)
 */
import { readTextFile, UnreadableFile } from "../topology/files";
import { LineCounter, parseDocument } from "yaml";
import { lineOf } from "../topology/load";
import { TopologyModel } from "../topology/model";
import { formatProblem, Problem } from "../topology/problems";
import { closest } from "../topology/suggest";

/** Traffic of one client, in GB per month, from its point of view. */
export interface Flow {
  readonly sentGb: number;
  readonly receivedGb: number;
}

export interface OnPremFlow extends Flow {
  /** DNS queries the on-prem forwarders send to the hub's Resolver inbound endpoint, millions per month. */
  readonly dnsQueriesMillion: number;
}

export interface Traffic {
  readonly spokes: ReadonlyMap<string, Flow>;
  readonly onPrem: ReadonlyMap<string, OnPremFlow>;
  /** Keyed `<service>/<consumer>`. */
  readonly consumers: ReadonlyMap<string, Flow>;
  /**
   * How spokes reach the hub. `none` (default): not priced (peering, or a transit gateway that exists
   * anyway); `transitGateway`: one attachment per hub and spoke VPC, and the spokes' traffic processed.
   */
  readonly transit: "none" | "transitGateway";
}

export const NO_TRAFFIC: Traffic = { spokes: new Map(), onPrem: new Map(), consumers: new Map(), transit: "none" };

/** A traffic file with problems: every one of them, located. */
export class TrafficError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} found; no cost was computed.\n${problems.map(formatProblem).join("\n")}`);
    this.name = "TrafficError";
  }
}

const MAX_TRAFFIC_BYTES = 4 * 1024 * 1024;

export function loadTrafficFile(file: string, model: TopologyModel): Traffic {
  let text: string;
  try {
    text = readTextFile(file, { maxBytes: MAX_TRAFFIC_BYTES });
  } catch (error) {
    if (error instanceof UnreadableFile) throw new TrafficError(file, [{ path: [], message: `cannot be read: it ${error.reason}`, fix: "check the --traffic path" }]);
    throw error;
  }
  return parseTraffic(text, file, model);
}

/** Parses and checks traffic text against the topology's names. */
export function parseTraffic(text: string, source: string, model: TopologyModel): Traffic {
  if (Buffer.byteLength(text) > MAX_TRAFFIC_BYTES) {
    throw new TrafficError(source, [{ path: [], line: 1, message: `is larger than ${MAX_TRAFFIC_BYTES / 2 ** 20} MiB`, fix: "a traffic file names each client once" }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new TrafficError(
      source,
      doc.errors.map((e) => ({ path: [], line: lineCounter.linePos(e.pos[0]).line, message: `YAML syntax error: ${e.message.split("\n")[0]}`, fix: "fix the YAML syntax" })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new TrafficError(source, [{ path: [], line: 1, message: `cannot be read: ${(error as Error).message.split("\n")[0]}`, fix: "write the values out instead of aliases" }]);
  }
  const problems: Problem[] = [];
  const spokes = new Map<string, Flow>();
  const onPrem = new Map<string, OnPremFlow>();
  const consumers = new Map<string, Flow>();
  let transit: Traffic["transit"] = "none";

  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const unknownKeys = (value: Record<string, unknown>, path: (string | number)[], allowed: string[]) => {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const near = closest(key, allowed);
        problems.push({ path: [...path, key], message: `is not a field here`, fix: near ? `did you mean "${near}"?` : `allowed: ${allowed.join(", ")}` });
      }
    }
  };
  const gb = (value: Record<string, unknown>, key: string, path: (string | number)[]): number => {
    const v = value[key];
    if (v === undefined) return 0;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1e12) {
      problems.push({ path: [...path, key], message: `must be a number of GB per month between 0 and 10^12, not ${JSON.stringify(v)}`, fix: "write e.g. 120 (GB per month)" });
      return 0;
    }
    return v;
  };
  const flow = (value: unknown, path: (string | number)[], extra: string[] = []): (Flow & Record<string, number>) | undefined => {
    if (!isObject(value)) {
      problems.push({ path, message: "must be a mapping with sentGb and receivedGb", fix: "write e.g. { sentGb: 10, receivedGb: 40 }" });
      return undefined;
    }
    unknownKeys(value, path, ["sentGb", "receivedGb", ...extra]);
    const result: Record<string, number> = { sentGb: gb(value, "sentGb", path), receivedGb: gb(value, "receivedGb", path) };
    for (const key of extra) result[key] = gb(value, key, path);
    return result as Flow & Record<string, number>;
  };
  const section = (key: string, known: Iterable<string>, what: string, each: (name: string, value: unknown, path: (string | number)[]) => void) => {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined || value === null) return;
    if (!isObject(value)) {
      problems.push({ path: [key], message: `must be a mapping of ${what} names`, fix: `write ${key}: { <name>: {...} }` });
      return;
    }
    const names = [...known];
    for (const [name, entry] of Object.entries(value)) {
      if (!names.includes(name)) {
        const near = closest(name, names);
        problems.push({ path: [key, name], message: `is not a ${what} of the topology`, fix: near ? `did you mean "${near}"?` : names.length ? `${what}s: ${names.join(", ")}` : `the topology has no ${what}` });
        continue;
      }
      each(name, entry, [key, name]);
    }
  };

  if (raw === null || raw === undefined) {
    return NO_TRAFFIC;
  }
  if (!isObject(raw)) {
    throw new TrafficError(source, [{ path: [], line: 1, message: "must be a mapping (spokes, onPrem, privateLink, transit)", fix: "see docs/cost.md for the format" }]);
  }
  unknownKeys(raw, [], ["spokes", "onPrem", "privateLink", "transit"]);
  section("spokes", model.spokes.map((s) => s.name), "spoke", (name, value, path) => {
    const f = flow(value, path);
    if (f) spokes.set(name, f);
  });
  section("onPrem", model.onPrem.map((o) => o.name), "on-prem network", (name, value, path) => {
    const f = flow(value, path, ["dnsQueriesMillion"]);
    if (f) onPrem.set(name, { sentGb: f.sentGb, receivedGb: f.receivedGb, dnsQueriesMillion: f.dnsQueriesMillion });
  });
  section("privateLink", model.services.map((s) => s.name), "PrivateLink service", (name, value, path) => {
    if (!isObject(value)) {
      problems.push({ path, message: "must be a mapping with consumers", fix: "write { consumers: { <consumer>: { sentGb, receivedGb } } }" });
      return;
    }
    unknownKeys(value, path, ["consumers"]);
    const service = model.services.find((s) => s.name === name)!;
    const names = service.consumers.map((c) => c.name);
    if (value.consumers === undefined) return;
    if (!isObject(value.consumers)) {
      problems.push({ path: [...path, "consumers"], message: "must be a mapping of consumer names", fix: "write consumers: { <consumer>: { sentGb, receivedGb } }" });
      return;
    }
    for (const [consumer, entry] of Object.entries(value.consumers)) {
      if (!names.includes(consumer)) {
        const near = closest(consumer, names);
        problems.push({ path: [...path, "consumers", consumer], message: `is not a consumer of ${name}`, fix: near ? `did you mean "${near}"?` : `consumers: ${names.join(", ")}` });
        continue;
      }
      const f = flow(entry, [...path, "consumers", consumer]);
      if (f) consumers.set(`${name}/${consumer}`, f);
    }
  });
  const t = (raw as Record<string, unknown>).transit;
  if (t !== undefined) {
    if (t === "none" || t === "transitGateway") transit = t;
    else problems.push({ path: ["transit"], message: `must be "none" or "transitGateway", not ${JSON.stringify(t)}`, fix: 'write transit: transitGateway to price the spokes\' attachments' });
  }
  if (problems.length > 0) {
    throw new TrafficError(
      source,
      problems.map((p) => ({ ...p, line: lineOf(doc, lineCounter, p.path) })),
    );
  }
  return { spokes, onPrem, consumers, transit };
}
