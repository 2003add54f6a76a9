/**
 * fast-check generators of topologies: plausible estates (consistent references, one partition, mostly
 * valid), and mutations of them driven by the schema's string positions and by the document's own
 * shape (wrong types, missing keys, unknown keys, bad names, template payloads).
 */
import * as fc from "fast-check";
import { concrete, Json, PAYLOADS, setAt, stringPatterns } from "./fixtures";

const PARTITIONS = [
  { id: "aws", regions: ["ap-northeast-1", "ap-northeast-3", "us-east-1", "eu-west-1"], weight: 8 },
  { id: "aws-cn", regions: ["cn-north-1", "cn-northwest-1"], weight: 1 },
  { id: "aws-us-gov", regions: ["us-gov-west-1", "us-gov-east-1"], weight: 1 },
];

/** Hub services: catalog quirks, plain ones, and a few that validation must refuse. */
const SERVICE_POOL: Array<string | Json> = [
  "ssm", "ssmmessages", "ec2messages", "s3", "ecr.api", "ecr.dkr", "kinesis-streams", "execute-api", "sts", "logs", "kms",
  "eks-auth", "secretsmanager", "lambda", "sqs", "transcribe",
  { name: "ec2", dualStack: true },
  { name: "brand-new-service", unlisted: true },
  { name: "custom", unlisted: true, dnsNames: ["custom.example.internal", "*.custom.example.internal"] },
  // refused:
  "iam", "secretmanager", { name: "s3", type: "gateway" },
];

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const vpcId = (i: number) => `vpc-${pad(i, 17).replace(/[^0-9]/g, "0")}`;
const subnetId = (i: number, j: number) => `subnet-${pad(i * 10 + j, 17)}`;

export const validish: fc.Arbitrary<Json> = fc
  .record({
    partition: fc.oneof(...PARTITIONS.map((p) => ({ arbitrary: fc.constant(p), weight: p.weight }))),
    accounts: fc.integer({ min: 1, max: 4 }),
    vpcs: fc.integer({ min: 1, max: 6 }),
    hubs: fc.integer({ min: 0, max: 2 }),
    seedRegions: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    seedAccounts: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    services: fc.array(fc.array(fc.integer({ min: 0, max: SERVICE_POOL.length - 1 }), { maxLength: 5 }), { minLength: 2, maxLength: 2 }),
    spokeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    native: fc.boolean(),
    onPrem: fc.boolean(),
    pinned: fc.boolean(),
    privateLink: fc.integer({ min: 0, max: 2 }),
    awsService: fc.boolean(),
    backend: fc.constantFrom<Json>({ kind: "local" }, { kind: "local", directory: "state" }, { kind: "s3", bucket: "acme-tf-state", keyPrefix: "" }, { kind: "s3", bucket: "acme-tf-state", keyPrefix: "estates/a" }),
    tags: fc.dictionary(fc.constantFrom("team", "cost-center", "env:tier", "owner@corp"), fc.constantFrom("network", "a b", "x/y=z", "", "1234"), { maxKeys: 2 }),
    name: fc.integer({ min: 0, max: 999 }),
  })
  .map((g) => {
    const { partition } = g;
    const doc: Json = { name: `prop-${g.name}`, accounts: {}, vpcs: {} };
    for (let a = 0; a < g.accounts; a++) {
      const id = `1000000000${pad(a, 2)}`;
      doc.accounts[`acct-${a}`] = { id, deployRoleArn: `arn:${partition.id}:iam::${id}:role/deployer` };
    }
    const vpcs: Array<{ name: string; region: string }> = [];
    for (let v = 0; v < g.vpcs; v++) {
      const region = partition.regions[g.seedRegions[v] % partition.regions.length];
      const name = `vpc-${v}`;
      doc.vpcs[name] = {
        account: `acct-${g.seedAccounts[v] % g.accounts}`,
        region,
        vpcId: vpcId(v + 1),
        cidr: `10.${v}.0.0/16`,
        subnets: [
          { id: subnetId(v + 1, 1), az: `${region}a`, cidr: `10.${v}.1.0/24` },
          { id: subnetId(v + 1, 2), az: `${region}b`, cidr: `10.${v}.2.0/24` },
        ],
      };
      vpcs.push({ name, region });
    }
    const hubs = Math.min(g.hubs, vpcs.length);
    if (hubs > 0) {
      doc.hubs = {};
      for (let h = 0; h < hubs; h++) {
        const picked = [...new Set(g.services[h])].map((i) => SERVICE_POOL[i]);
        doc.hubs[`hub-${h}`] = { vpc: vpcs[h].name, services: picked.length > 0 ? picked : ["ssm"] };
      }
      const spokeVpcs = vpcs.slice(hubs, hubs + Math.round((vpcs.length - hubs) * g.spokeShare));
      if (spokeVpcs.length > 0) {
        doc.spokes = {};
        spokeVpcs.forEach((v, i) => {
          doc.spokes[`spoke-${i}`] = { vpc: v.name, ...(hubs > 1 ? { hub: `hub-${i % hubs}` } : {}), ...(g.native && i === 0 ? { association: "native" } : {}) };
        });
      }
      if (g.onPrem) {
        doc.onPrem = { dc: { cidrs: ["192.168.0.0/16"], ...(hubs > 1 ? { hub: "hub-0" } : {}) } };
        if (g.pinned) {
          doc.hubs["hub-0"].resolver = { ipAddresses: [{ subnet: subnetId(1, 1), ip: "10.0.1.53" }, { subnet: subnetId(1, 2), ip: "10.0.2.53" }] };
        }
      }
    }
    if (g.privateLink > 0 && vpcs.length > 1) {
      doc.privateLink = {};
      for (let s = 0; s < g.privateLink; s++) {
        const owner = vpcs[(hubs + s) % vpcs.length];
        const consumers = Object.fromEntries(vpcs.filter((v) => v.name !== owner.name).slice(0, 2).map((v, i) => [`c${i}`, { vpc: v.name }]));
        const index = vpcs.indexOf(owner);
        doc.privateLink[`svc-${s}`] =
          g.awsService && s === 1
            ? { awsService: { name: "s3", region: owner.region }, consumers }
            : { provider: { vpc: owner.name, listeners: [{ port: 443 }], targets: { type: "ip", ids: [`10.${index}.1.10`, `10.${index}.2.10`] } }, consumers };
      }
    }
    doc.backend = g.backend.kind === "s3" ? { ...g.backend, region: partition.regions[0] } : g.backend;
    if (Object.keys(g.tags).length > 0) doc.tags = g.tags;
    return doc;
  });

/** Every path of a document, values and keys. */
function allPaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => allPaths(v, [...at, i]))];
  if (value !== null && typeof value === "object") return [at, ...Object.entries(value).flatMap(([k, v]) => allPaths(v, [...at, k]))];
  return [at];
}

type Mutation = (doc: Json, pick: number, value: unknown) => void;

const PATTERNS = stringPatterns();

const MUTATIONS: Mutation[] = [
  // A schema string position gets a template payload, or an arbitrary value.
  (doc, pick, value) => {
    const positions = PATTERNS.flatMap((p) => concrete(doc, p).map((at) => ({ at, key: p[p.length - 1] === "<key>" })));
    if (positions.length === 0) return;
    const { at, key } = positions[pick % positions.length];
    const text = typeof value === "string" ? value : PAYLOADS[pick % PAYLOADS.length];
    if (key && text === "") return;
    setAt(doc, at, key ? text : pick % 3 === 0 ? text : (value as string), key);
  },
  // Any value is replaced by an arbitrary one (wrong type, null, object...).
  (doc, pick, value) => {
    const paths = allPaths(doc).filter((p) => p.length > 0);
    const at = paths[pick % paths.length];
    const parent = at.slice(0, -1).reduce<any>((n, part) => n[part], doc);
    parent[at[at.length - 1]] = value;
  },
  // A key disappears (a required field, a referenced name).
  (doc, pick) => {
    const paths = allPaths(doc).filter((p) => p.length > 0 && typeof p[p.length - 1] === "string");
    const at = paths[pick % paths.length];
    const parent = at.slice(0, -1).reduce<any>((n, part) => n[part], doc);
    delete parent[at[at.length - 1]];
  },
  // An unknown key or a bad name appears.
  (doc, pick, value) => {
    const objects = allPaths(doc).filter((p) => {
      const node = p.reduce<any>((n, part) => n[part], doc);
      return node !== null && typeof node === "object" && !Array.isArray(node);
    });
    const at = objects[pick % objects.length];
    const node = at.reduce<any>((n, part) => n[part], doc);
    node[["../x", "Upper", "typo-field", "", "a b", "${x}"][pick % 6]] = value;
  },
];

export const mutated: fc.Arbitrary<Json> = fc
  .tuple(validish, fc.array(fc.tuple(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), fc.nat(), fc.anything({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }))
  .map(([doc, mutations]) => {
    const copy = JSON.parse(JSON.stringify(doc));
    for (const [kind, pick, value] of mutations) MUTATIONS[kind](copy, pick, JSON.parse(JSON.stringify(value ?? null)));
    return copy;
  });

/** Half plausible estates, half mutated ones. */
export const topologies: fc.Arbitrary<{ doc: Json; mutated: boolean }> = fc.oneof(
  validish.map((doc) => ({ doc, mutated: false })),
  mutated.map((doc) => ({ doc, mutated: true })),
);
