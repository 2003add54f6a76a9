/**
 * `npm run bench:handshake [-- --sizes 30,100 --signals none,SIGTERM,SIGKILL]`: the handshake under load.
 *
 * N cross-account handshakes run at once as separate processes of the shipped bundle (what Terraform
 * runs), against the Route 53 wire emulator limited like Route 53 to 5 requests per second per account:
 * spokes of 10 zones each (one spoke account per 10 handshakes, as one spoke stack joins a hub's zones),
 * every zone owned by one hub account. Per run: wall time against the rate-limit floor (the busiest
 * account's useful calls at 5/s), hub-account attempts per useful hub call (throttled answers included),
 * and what is left: associations made and authorizations standing. With --signals, the same runs get
 * SIGTERM (the command's own cleanup) or SIGKILL (the guard's) sent to every process mid-way.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../modules/package-assets";
import { Route53Emulator } from "./route53-emulator";

const HUB = "111122223333";
const RATE = 5;
const ZONES_PER_SPOKE = 10;

interface Row {
  readonly size: number;
  readonly signal: string;
  readonly seconds: number;
  /** Seconds from the spawn of the processes to the first hub call (their start-up). */
  readonly firstHubCall: number;
  /** Seconds from the first hub call to the last. */
  readonly hubSpan: number;
  readonly floor: number;
  readonly hubAttempts: number;
  readonly hubUseful: number;
  readonly throttledHub: number;
  readonly associated: number;
  readonly left: number;
  readonly exits: string;
}

const spokeAccount = (s: number) => String(222200000000 + s);

async function runOnce(size: number, signal: "none" | "SIGTERM" | "SIGKILL", stateDir: string, log: (line: string) => void): Promise<Row> {
  const bundle = path.join(projectRoot(), "dist", "assets", "phz-handshake.cjs");
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "plk-bench-handshake-"));
  const emulator = new Route53Emulator();
  const url = await emulator.start();
  emulator.addAccessKey("AKIABENCH", "999900001111");
  emulator.ratePerAccount = RATE;
  emulator.pendingPolls = 1;
  const hubVpc = { id: "vpc-a0000000", region: "ap-northeast-1" };
  emulator.addVpc(hubVpc.id, HUB, hubVpc.region);
  const zones = Array.from({ length: ZONES_PER_SPOKE }, (_, z) => ({ name: `svc${z}.ap-northeast-1.amazonaws.com`, id: emulator.addZone(`svc${z}.ap-northeast-1.amazonaws.com`, HUB, hubVpc) }));
  const spokes = Math.ceil(size / ZONES_PER_SPOKE);
  const pairs: Array<{ zone: (typeof zones)[number]; vpc: string; account: string }> = [];
  for (let s = 0; s < spokes; s++) {
    const vpc = `vpc-b${s.toString(16).padStart(7, "0")}`;
    emulator.addVpc(vpc, spokeAccount(s), "ap-northeast-3");
    for (let z = 0; z < ZONES_PER_SPOKE && pairs.length < size; z++) pairs.push({ zone: zones[z], vpc, account: spokeAccount(s) });
  }
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: "AKIABENCH",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    PHZ_PACING_DIR: path.join(work, "pacing"),
    PHZ_STATE_DIR: stateDir,
    PHZ_GUARD_SETTLE_MS: "500",
  };
  const started = Date.now();
  const children: ChildProcess[] = [];
  const exits = pairs.map((p, i) => {
    const child = spawn(process.execPath, [bundle, "associate"], {
      env: {
        ...env,
        PHZ_ZONE_ID: p.zone.id,
        PHZ_ZONE_NAME: p.zone.name,
        PHZ_VPC_ID: p.vpc,
        PHZ_VPC_REGION: "ap-northeast-3",
        PHZ_ZONE_ROLE_ARN: `arn:aws:iam::${HUB}:role/deployer`,
        PHZ_VPC_ROLE_ARN: `arn:aws:iam::${p.account}:role/deployer`,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
    children[i] = child;
    return new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on("exit", (code, sig) => resolve({ code, signal: sig, stderr })));
  });

  if (signal !== "none") {
    // Mid-way: once 30% of the authorizations stand (the riskiest moment), every process gets the signal.
    while (emulator.authorizationsLeft().length < size * 0.3) await new Promise((r) => setTimeout(r, 20));
    log(`  ${signal} to ${children.length} processes at ${((Date.now() - started) / 1000).toFixed(1)} s (${emulator.authorizationsLeft().length} authorizations standing)`);
    for (const child of children) child.kill(signal);
  }
  const results = await Promise.all(exits);
  let seconds = (Date.now() - started) / 1000;
  if (signal === "SIGKILL") {
    // The guards sweep after the processes died: wait until nothing stands, or 120 s.
    const deadline = Date.now() + 120_000;
    while (emulator.authorizationsLeft().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    seconds = (Date.now() - started) / 1000;
  }

  const byAccount = emulator.callsByAccount();
  const hubCalls = emulator.route53Calls().filter((c) => c.account === HUB);
  const hubSpan = ((hubCalls[hubCalls.length - 1]?.at ?? 0) - (hubCalls[0]?.at ?? 0)) / 1000;
  const firstHubCall = ((hubCalls[0]?.at ?? started) - started) / 1000;
  if (process.env.BENCH_TRACE) {
    const t = (ms?: number) => (((ms ?? 0) - started) / 1000).toFixed(1);
    log(`  hub calls from ${t(hubCalls[0]?.at)} s to ${t(hubCalls[hubCalls.length - 1]?.at)} s; first Create ${t(hubCalls.find((c) => c.operation.startsWith("Create"))?.at)} s, last Create ${t([...hubCalls].reverse().find((c) => c.operation.startsWith("Create"))?.at)} s`);
    const gaps = hubCalls.slice(1).map((c, i) => (c.at ?? 0) - (hubCalls[i].at ?? 0));
    log(`  hub gaps > 400 ms: ${gaps.filter((g) => g > 400).length}, sum of gaps over 200 ms: ${(gaps.filter((g) => g > 200).reduce((a, g) => a + g - 200, 0) / 1000).toFixed(1)} s`);
  }
  const hub = byAccount[HUB] ?? { attempts: 0, ok: 0, throttled: 0 };
  const useful = Object.values(byAccount).map((a) => a.ok);
  const floor = Math.max(...useful) / RATE;
  const associated = pairs.filter((p) => emulator.associations(p.zone.id).includes(`${p.vpc}@ap-northeast-3`)).length;
  const codes = new Map<string, number>();
  for (const r of results) {
    const key = r.signal ?? `exit ${r.code}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  const failures = results.filter((r) => r.code !== 0 && signal === "none");
  if (failures.length > 0) log(`  ${failures.length} failed, e.g.: ${failures[0].stderr.trim().split("\n").pop()}`);
  await emulator.stop();
  fs.rmSync(work, { recursive: true, force: true });
  return {
    size,
    signal,
    seconds,
    firstHubCall,
    hubSpan,
    floor,
    hubAttempts: hub.attempts,
    hubUseful: hub.ok,
    throttledHub: hub.throttled,
    associated,
    left: emulator.authorizationsLeft().length,
    exits: [...codes].map(([k, n]) => `${n}× ${k}`).join(", "),
  };
}

export async function benchHandshake(sizes: number[], signals: Array<"none" | "SIGTERM" | "SIGKILL">, log: (line: string) => void = console.log): Promise<Row[]> {
  log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, Node ${process.version}; Route 53 emulator limited to ${RATE} requests/s per account`);
  // One state directory for every run, its code cache warmed once: what a machine's second deployment finds.
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "plk-bench-state-"));
  spawnSync(process.execPath, [path.join(projectRoot(), "dist", "assets", "phz-handshake.cjs"), "--help"], { env: { ...process.env, PHZ_STATE_DIR: stateDir } });
  const rows: Row[] = [];
  for (const signal of signals) {
    for (const size of sizes) {
      log(`${size} handshakes${signal === "none" ? "" : `, ${signal} mid-way`}...`);
      rows.push(await runOnce(size, signal, stateDir, log));
    }
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  log("");
  log("| handshakes | signal | wall time | start-up (to 1st hub call) | 1st to last hub call | rate-limit floor | wall / floor | hub span / floor | hub attempts / useful hub calls | hub throttled | associated | authorizations left | exits |");
  log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of rows) {
    const normal = r.signal === "none";
    log(
      `| ${r.size} | ${normal ? "-" : r.signal} | ${r.seconds.toFixed(1)} s | ${r.firstHubCall.toFixed(1)} s | ${r.hubSpan.toFixed(1)} s | ${normal ? `${r.floor.toFixed(1)} s` : "-"} | ${normal ? (r.seconds / r.floor).toFixed(2) : "-"} | ${normal ? (r.hubSpan / r.floor).toFixed(2) : "-"} | ${r.hubAttempts} / ${r.hubUseful} = ${(r.hubAttempts / Math.max(1, r.hubUseful)).toFixed(2)} | ${r.throttledHub} | ${r.associated}/${r.size} | ${r.left} | ${r.exits} |`,
    );
  }
  return rows;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const sizes = option("--sizes", "30,100").split(",").map(Number);
  const signals = option("--signals", "none,SIGTERM,SIGKILL").split(",") as Array<"none" | "SIGTERM" | "SIGKILL">;
  benchHandshake(sizes, signals).then((rows) => {
    const bad = rows.filter((r) => r.left > 0 || (r.signal === "none" && (r.associated < r.size || r.seconds > 1.2 * r.floor || r.hubAttempts > 1.3 * r.hubUseful)));
    process.exit(bad.length === 0 ? 0 : 1);
  });
}
