/**
 * Topologies that hold every string position of the schema, and the helpers to find and change those
 * positions: shared by the injection test and the property-based test.
 */
import { topologyJsonSchema } from "../../topology/schema";
import { exampleDoc } from "../helpers";

export const PAYLOADS = ['${file("/etc/hostname")}', "${USER}", "%{ if true }x%{ endif }"];

export type Json = Record<string, any>;
/** A position pattern: object keys, `*` for any key of a record, `<key>` for the key itself, `[]` for any list item. */
export type Pattern = string[];

/** Every string position the schema allows, with the kind of value (a plain string, or an object entry). */
export function stringPatterns(schema: Json = topologyJsonSchema()): Pattern[] {
  const out: Pattern[] = [];
  const walk = (node: Json, at: Pattern) => {
    const branches = node.anyOf ?? node.oneOf;
    if (branches) return branches.forEach((b: Json) => walk(b, at));
    if (node.type === "string") return void out.push(at);
    if (node.type === "object") {
      for (const [key, value] of Object.entries<Json>(node.properties ?? {})) walk(value, [...at, key]);
      if (typeof node.additionalProperties === "object") {
        out.push([...at, "<key>"]);
        walk(node.additionalProperties, [...at, "*"]);
      }
    }
    if (node.type === "array" && node.items) walk(node.items, [...at, "[]"]);
  };
  walk(schema, []);
  // Discriminated unions list the same position once per branch.
  return [...new Map(out.map((p) => [p.join("."), p])).values()];
}

/** Concrete paths of `doc` that match the pattern and hold a string (or, for `<key>`, are a key). */
export function concrete(doc: unknown, pattern: Pattern, at: Array<string | number> = []): Array<Array<string | number>> {
  if (pattern.length === 0) return typeof doc === "string" ? [at] : [];
  const [head, ...rest] = pattern;
  if (doc === null || typeof doc !== "object") return [];
  if (head === "<key>") return rest.length === 0 && !Array.isArray(doc) ? Object.keys(doc).map((k) => [...at, k]) : [];
  if (head === "[]") return Array.isArray(doc) ? doc.flatMap((item, i) => concrete(item, rest, [...at, i])) : [];
  if (Array.isArray(doc)) return [];
  if (head === "*") return Object.entries(doc).flatMap(([k, v]) => concrete(v, rest, [...at, k]));
  return head in doc ? concrete((doc as Json)[head], rest, [...at, head]) : [];
}

/** Documents that together hold every string position of the schema (they need not be valid). */
export function fixtures(): Json[] {
  const full = exampleDoc();
  full.$schema = "../topology.schema.json";
  full.target = { kind: "local", endpoint: "http://127.0.0.1:5000" };
  full.backend = { kind: "local", directory: "state" };
  full.accounts["network-hub"].description = "network";
  full.hubs.tokyo.subnets = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"];
  full.hubs.tokyo.services.push({ name: "kms", type: "interface", dnsNames: ["kms.ap-northeast-1.amazonaws.com"], policyFile: "policies/kms.json" });
  full.hubs.tokyo.endpointPolicy = { organizationId: "o-a1b2c3d4e5" };
  full.hubs.tokyo.allowedCidrs = ["172.16.0.0/16"];
  full.hubs.tokyo.sharing = "zones";
  full.hubs.tokyo.shareWith = ["222233334444"];
  full.hubs.tokyo.resolver.subnets = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"];
  full.hubs.tokyo.securityGroupId = "sg-0a1b2c3d4e5f60101";
  full.hubs.tokyo.resolver.securityGroupId = "sg-0a1b2c3d4e5f60102";
  full.spokes["app-tokyo"].hub = "tokyo";
  full.spokes["app-tokyo"].association = "native";
  full.onPrem.datacenter.hub = "tokyo";
  const provider = full.privateLink["orders-api"].provider;
  provider.subnets = ["subnet-0a1b2c3d4e5f60041"];
  provider.allowedPrincipals = ["arn:aws:iam::222233334444:root"];
  provider.supportedRegions = ["us-east-1"];
  provider.privateDnsName = "orders.example.com";
  provider.loadBalancer = { name: "orders-by-hand", securityGroupId: "sg-0a1b2c3d4e5f60103", targetGroups: { "80": "orders-tg" } };
  const tokyo = full.privateLink["orders-api"].consumers.tokyo;
  Object.assign(tokyo, { subnets: ["subnet-0a1b2c3d4e5f60051"], allowedCidrs: ["10.50.0.0/16"], acceptance: "auto", securityGroupId: "sg-0a1b2c3d4e5f60104" });
  full.privateLink.storage = { awsService: { name: "s3", region: "us-east-1", type: "interface" }, consumers: { tokyo: { vpc: "orders-client-tokyo" } } };
  const s3 = exampleDoc();
  s3.target = { kind: "aws" };
  s3.backend = { kind: "s3", bucket: "acme-state", region: "ap-northeast-1", keyPrefix: "estate", roleArn: "arn:aws:iam::111122223333:role/state" };
  return [full, s3];
}

/** Sets the string at `at` (or renames the key there); returns the path of what was set. */
export function setAt(doc: Json, at: Array<string | number>, value: string, isKey: boolean): Array<string | number> {
  const parent = at.slice(0, -1).reduce<any>((node, part) => node[part], doc);
  const last = at[at.length - 1];
  if (!isKey) {
    parent[last] = value;
    return at;
  }
  // Rename the key, keeping its value and the entries' order.
  const entries = Object.entries(parent).map(([k, v]) => [k === last ? value : k, v] as const);
  for (const key of Object.keys(parent)) delete parent[key];
  for (const [k, v] of entries) parent[k] = v;
  return [...at.slice(0, -1), value];
}
