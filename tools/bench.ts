/**
 * `npm run bench [-- --sizes 1,10,100,500 --runs 3 --sharing zones|profile]`: synth scaling benchmark.
 * `npm run bench -- --changed-since [--sizes 100,1000]`: what `privatelink plan --changed-since` adds to a
 * plan: the topology committed in a scratch git repository, one spoke changed, then the synth a plan runs
 * and the comparison with the committed topology (the second synth included), timed apart.
 *
 * Generates topologies that AWS's default quotas admit: hubs of 20 services (22 zones each) with at most
 * 299 spokes per hub (300 VPCs per private hosted zone), each spoke in its own account, the hubs'
 * security groups admitting 10.0.0.0/8 (which covers every spoke: one rule, not one per spoke), plus one
 * PrivateLink service with a consumer per 10 spokes; synthesizes each (JSON and HCL, like
 * `npm run synth`) in a fresh Node process, and prints per size the median of the runs: stacks,
 * resources, wall time, peak RSS, bytes written, time per stack, and the growth ratios between sizes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadTopologyText } from "../topology/load";
import { synthesize } from "../synth/synthesize";
import { compareWithBase, startBase } from "../cli/changed";
import { dependenciesOf } from "../cli/schedule";

export const SERVICES = [
  "ssm", "ssmmessages", "ec2messages", "s3", "ecr.api", "ecr.dkr", "sts", "logs", "monitoring", "kms",
  "secretsmanager", "sqs", "sns", "execute-api", "lambda", "events", "ec2", "elasticloadbalancing", "autoscaling", "ecs",
];

const accountId = (n: number) => String(100000000000 + n);
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** Spokes per hub the benchmark places: one VPC fewer than Route 53's 300 VPCs per private hosted zone (the hub's own). */
export const SPOKES_PER_HUB = 299;

/** A topology with `spokes` spokes, in the shape the benchmark measures. */
export function benchTopology(spokes: number, sharing: "zones" | "profile" = "zones"): Record<string, unknown> {
  if (sharing === "profile") return profileBenchTopology(spokes);
  const accounts: Record<string, unknown> = {};
  const vpcs: Record<string, unknown> = {};
  const account = (name: string, n: number) => (accounts[name] = { id: accountId(n), deployRoleArn: `arn:aws:iam::${accountId(n)}:role/privatelink-deployer` });
  const vpc = (name: string, acct: string, n: number, cidr: string, subnets: Array<[string, string]>) =>
    (vpcs[name] = {
      account: acct,
      region: "ap-northeast-1",
      vpcId: `vpc-${hex(n, 17)}`,
      cidr,
      subnets: subnets.map(([az, c], i) => ({ id: `subnet-${hex(n * 4 + i, 17)}`, az, cidr: c })),
    });
  account("hub", 0);
  const hubCount = Math.max(1, Math.ceil(spokes / SPOKES_PER_HUB));
  const hubs: Record<string, unknown> = {};
  for (let h = 0; h < hubCount; h++) {
    const third = h === 0 ? 0 : 200 + h;
    vpc(`hub-${h}`, "hub", 900000 + h, `10.${third}.0.0/16`, [["ap-northeast-1a", `10.${third}.1.0/24`], ["ap-northeast-1c", `10.${third}.2.0/24`]]);
    hubs[h === 0 ? "main" : `main-${h}`] = { vpc: `hub-${h}`, services: SERVICES, allowedCidrs: ["10.0.0.0/8"] };
  }
  const hubNames = Object.keys(hubs);
  account("owner", 1);
  vpc("provider", "owner", 1, "172.16.0.0/16", [["ap-northeast-1a", "172.16.1.0/24"], ["ap-northeast-1c", "172.16.2.0/24"]]);
  const spokeEntries: Record<string, unknown> = {};
  const consumers: Record<string, unknown> = {};
  for (let i = 0; i < spokes; i++) {
    const name = `spoke-${i}`;
    const base = `10.${1 + Math.floor(i / 256)}.${i % 256}`;
    account(name, 10 + i);
    vpc(name, name, 10 + i, `${base}.0/24`, [["ap-northeast-1a", `${base}.0/26`], ["ap-northeast-1c", `${base}.64/26`]]);
    spokeEntries[name] = { vpc: name, ...(hubCount > 1 ? { hub: hubNames[Math.floor(i / SPOKES_PER_HUB)] } : {}) };
    // Past 60 consumers their /24s would need more NLB rules than a security group holds: a covering block.
    if (i % 10 === 0) consumers[`c${i}`] = { vpc: name, ...(spokes > 600 ? { allowedCidrs: ["10.0.0.0/8"] } : {}) };
  }
  return {
    name: `bench-${spokes}`,
    accounts,
    vpcs,
    hubs,
    spokes: spokeEntries,
    privateLink: {
      api: {
        provider: { vpc: "provider", listeners: [{ port: 443 }], targets: { type: "ip", ids: ["172.16.1.10", "172.16.2.10"] } },
        consumers,
      },
    },
  };
}

/**
 * Profile mode over two regions: even spokes in Tokyo associate their hub's Route 53 Profile, odd spokes in
 * Osaka join its zones with the handshake. Hubs: enough for 299 Osaka spokes each (300 VPCs per zone) and
 * 1,000 Tokyo spokes each (VPCs per Profile), all in one account (5 Profiles per region allowed).
 */
function profileBenchTopology(spokes: number): Record<string, unknown> {
  const accounts: Record<string, unknown> = {};
  const vpcs: Record<string, unknown> = {};
  const account = (name: string, n: number) => (accounts[name] = { id: accountId(n), deployRoleArn: `arn:aws:iam::${accountId(n)}:role/privatelink-deployer` });
  const tokyo = Math.ceil(spokes / 2);
  const osaka = spokes - tokyo;
  const hubCount = Math.max(1, Math.ceil(osaka / SPOKES_PER_HUB), Math.ceil(tokyo / 1000));
  account("hub", 0);
  const hubs: Record<string, unknown> = {};
  for (let h = 0; h < hubCount; h++) {
    const third = 200 + h;
    vpcs[`hub-${h}`] = {
      account: "hub",
      region: "ap-northeast-1",
      vpcId: `vpc-${hex(900000 + h, 17)}`,
      cidr: `10.${third}.0.0/16`,
      subnets: [0, 1].map((i) => ({ id: `subnet-${hex((900000 + h) * 4 + i, 17)}`, az: `ap-northeast-1${i ? "c" : "a"}`, cidr: `10.${third}.${i + 1}.0/24` })),
    };
    hubs[`main-${h}`] = { vpc: `hub-${h}`, services: SERVICES, allowedCidrs: ["10.0.0.0/8"], sharing: "profile" };
  }
  const spokeEntries: Record<string, unknown> = {};
  for (let i = 0; i < spokes; i++) {
    const name = `spoke-${i}`;
    const inTokyo = i % 2 === 0;
    const region = inTokyo ? "ap-northeast-1" : "ap-northeast-3";
    const azs = inTokyo ? ["a", "c"] : ["a", "b"];
    const base = `10.${1 + Math.floor(i / 256)}.${i % 256}`;
    const index = Math.floor(i / 2);
    const hub = inTokyo ? Math.floor(index / Math.ceil(tokyo / hubCount)) : Math.floor(index / SPOKES_PER_HUB);
    account(name, 10 + i);
    vpcs[name] = {
      account: name,
      region,
      vpcId: `vpc-${hex(10 + i, 17)}`,
      cidr: `${base}.0/24`,
      subnets: azs.map((az, k) => ({ id: `subnet-${hex((10 + i) * 4 + k, 17)}`, az: `${region}${az}`, cidr: `${base}.${k * 64}/26` })),
    };
    spokeEntries[name] = { vpc: name, hub: `main-${hub}` };
  }
  return { name: `bench-profile-${spokes}`, accounts, vpcs, hubs, spokes: spokeEntries };
}

interface Sample {
  readonly stacks: number;
  readonly resources: number;
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly bytes: number;
}

/** Bytes the output occupies on disk: a hard-linked file counts once. */
function directoryBytes(dir: string, seen = new Set<number>()): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      total += directoryBytes(p, seen);
      continue;
    }
    const stat = fs.statSync(p);
    if (!seen.has(stat.ino)) total += stat.size;
    seen.add(stat.ino);
  }
  return total;
}

/** Child mode: one synth, measured from inside a fresh process. */
function child(topologyFile: string, outdir: string): void {
  const started = process.hrtime.bigint();
  const { model } = loadTopologyText(fs.readFileSync(topologyFile, "utf8"), topologyFile);
  const result = synthesize(model, { outdir });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sample: Sample = {
    stacks: result.stacks.length,
    resources: result.stacks.reduce((n, s) => n + s.resources, 0),
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: directoryBytes(outdir),
  };
  process.stdout.write(JSON.stringify(sample));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function run(sizes: number[], runs: number, sharing: "zones" | "profile" = "zones"): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-bench-"));
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${runs} runs per size, median`);
  const rows: Array<{ spokes: number; sample: Sample }> = [];
  for (const spokes of sizes) {
    const topology = path.join(work, `topology-${spokes}.json`);
    fs.writeFileSync(topology, JSON.stringify(benchTopology(spokes, sharing)));
    const samples: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      const outdir = path.join(work, `out-${spokes}`);
      const proc = spawnSync(process.execPath, [__filename, "--child", topology, outdir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, cwd: work });
      if (proc.status !== 0) throw new Error(`synth of ${spokes} spokes failed:\n${proc.stderr}`);
      samples.push(JSON.parse(proc.stdout));
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const sample: Sample = {
      stacks: samples[0].stacks,
      resources: samples[0].resources,
      seconds: median(samples.map((s) => s.seconds)),
      maxRssMb: median(samples.map((s) => s.maxRssMb)),
      bytes: median(samples.map((s) => s.bytes)),
    };
    rows.push({ spokes, sample });
    console.error(`  ${spokes} spokes: ${sample.seconds.toFixed(2)} s (runs: ${samples.map((s) => s.seconds.toFixed(2)).join(", ")})`);
  }
  const header = "| spokes | stacks | resources | wall time | peak RSS | bytes written | per stack | time ratio (size ratio) |";
  console.log(header);
  console.log("|---:|---:|---:|---:|---:|---:|---:|---|");
  rows.forEach(({ spokes, sample }, i) => {
    const previous = rows[i - 1];
    const ratio = previous ? `x${(sample.seconds / previous.sample.seconds).toFixed(1)} (x${(spokes / previous.spokes).toFixed(0)} spokes, x${(sample.resources / previous.sample.resources).toFixed(1)} resources)` : "";
    console.log(
      `| ${spokes} | ${sample.stacks} | ${sample.resources} | ${sample.seconds.toFixed(2)} s | ${sample.maxRssMb.toFixed(0)} MiB | ${(sample.bytes / 2 ** 20).toFixed(1)} MiB | ${((sample.seconds * 1000) / sample.stacks).toFixed(0)} ms | ${ratio} |`,
    );
  });
  fs.rmSync(work, { recursive: true, force: true });
}

/** Child mode: the synth of a plan, then --changed-since's synth of the committed topology and the comparison. */
function changedChild(repo: string): void {
  const topologyFile = path.join(repo, "topology.json");
  const estateFile = path.join(repo, "topology.estate.json");
  const outdir = path.join(repo, "cdktf.out");
  const t0 = process.hrtime.bigint();
  // What `plan --changed-since HEAD` does: REF's synth in a worker thread beside the current synth, then the comparison.
  const base = startBase({ topologyFile, estateFile, outdir, ref: "HEAD" });
  const { model } = loadTopologyText(fs.readFileSync(topologyFile, "utf8"), topologyFile);
  synthesize(model, { outdir, estate: { file: estateFile } });
  const t1 = process.hrtime.bigint();
  void base.then((b) => {
    const current = dependenciesOf(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")));
    const changed = compareWithBase(b, { outdir, ref: "HEAD", current, retired: [] });
    const t2 = process.hrtime.bigint();
    process.stdout.write(JSON.stringify({ stacks: current.size, synth: Number(t1 - t0) / 1e9, total: Number(t2 - t0) / 1e9, baseSeconds: b.seconds, planned: [...changed.plan].sort(), maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  });
}

function runChangedSince(sizes: number[], runs: number): void {
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, Node ${process.version}; ${runs} runs per size, median`);
  console.log("| spokes | stacks | synth of the plan alone | plan's synth + HEAD's synth (worker thread) + comparison | HEAD's synth in its thread | stacks planned | peak RSS |");
  console.log("|---:|---:|---:|---:|---:|---|---:|");
  for (const spokes of sizes) {
    const samples: Array<{ stacks: number; synth: number; total: number; baseSeconds: number; planned: string[]; maxRssMb: number }> = [];
    for (let r = 0; r < runs; r++) {
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-bench-changed-"));
      try {
        const doc = benchTopology(spokes) as any;
        fs.writeFileSync(path.join(repo, "topology.json"), JSON.stringify(doc, null, 2));
        const git = (...a: string[]) => spawnSync("git", ["-C", repo, ...a], { encoding: "utf8" });
        git("init", "-q");
        git("add", "topology.json");
        git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-q", "-m", "estate");
        // Day two: one spoke's VPC is replaced (its stack changes; nothing reads a spoke's outputs).
        doc.vpcs["spoke-7"].vpcId = "vpc-0000000000000beef";
        fs.writeFileSync(path.join(repo, "topology.json"), JSON.stringify(doc, null, 2));
        const proc = spawnSync(process.execPath, [__filename, "--changed-child", repo], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, cwd: repo });
        if (proc.status !== 0) throw new Error(`--changed-since bench of ${spokes} spokes failed:\n${proc.stderr}`);
        samples.push(JSON.parse(proc.stdout));
      } finally {
        fs.rmSync(repo, { recursive: true, force: true });
      }
    }
    const m = (f: (s: (typeof samples)[number]) => number) => median(samples.map(f));
    const alone = spawnSync(process.execPath, [__filename, "--sizes", String(spokes), "--runs", "1"], { encoding: "utf8" });
    const aloneSeconds = /\| \d+ \| \d+ \| \d+ \| ([\d.]+) s/.exec(alone.stdout)?.[1] ?? "?";
    console.log(`| ${spokes} | ${samples[0].stacks} | ${aloneSeconds} s | ${m((s) => s.total).toFixed(2)} s | ${m((s) => s.baseSeconds).toFixed(2)} s | ${samples[0].planned.join(", ")} | ${m((s) => s.maxRssMb).toFixed(0)} MiB |`);
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    child(args[1], args[2]);
  } else if (args[0] === "--changed-child") {
    changedChild(args[1]);
  } else if (args.includes("--changed-since")) {
    const i = args.indexOf("--sizes");
    const r = args.indexOf("--runs");
    runChangedSince((i >= 0 ? args[i + 1] : "100,1000").split(",").map(Number), Number(r >= 0 ? args[r + 1] : "3"));
  } else {
    const option = (name: string, fallback: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : fallback;
    };
    const sharing = option("--sharing", "zones");
    if (sharing !== "zones" && sharing !== "profile") throw new Error(`--sharing is zones or profile, not "${sharing}"`);
    run(option("--sizes", "1,10,100,500").split(",").map(Number), Number(option("--runs", "3")), sharing);
  }
}
