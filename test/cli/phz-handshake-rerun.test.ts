/**
 * The handshake converges after any interruption, on the Route 53 wire emulator (5 requests per second per
 * account): the bundled script killed (SIGKILL, as Terraform's first interrupt kills local-exec children) at
 * any point and re-run at once, as a retried CI job or a second `terraform apply` does; a journaled change
 * Route 53 does not know; a pacing schedule someone moved ahead; state directories someone else prepared.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Journal } from "../../cli/phz-handshake/journal";
import { associate } from "../../cli/phz-handshake/protocol";
import { FilePacer, MAX_QUEUE_MS } from "../../cli/phz-handshake/retry";
import { PairLock } from "../../cli/phz-handshake/state";
import { tempDir } from "../helpers";
import { BUNDLE, HandshakeFixture } from "./handshake-fixture";

const fixture = new HandshakeFixture();
const { emulator } = fixture;

beforeAll(() => fixture.start());
afterAll(() => emulator.stop());
beforeEach(() => fixture.reset());

type Req = ReturnType<HandshakeFixture["pair"]>["req"];

interface Run {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  stderr: string;
}

function start(req: Req, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [BUNDLE, "associate"], {
    env: { ...process.env, ...fixture.environment(), PHZ_ZONE_ID: req.zoneId, PHZ_ZONE_NAME: req.zoneName, PHZ_VPC_ID: req.vpcId, PHZ_VPC_REGION: req.vpcRegion, PHZ_ZONE_ROLE_ARN: req.zoneRoleArn, PHZ_VPC_ROLE_ARN: req.vpcRoleArn, ...env },
  });
  const run: Run = { child, exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))), stderr: "" };
  child.stderr!.on("data", (d) => (run.stderr += d));
  return run;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe("a re-run right after a kill", () => {
  it("30 pairs, each killed at a point of its handshake and re-run at once: every re-run exits 0, every pair is associated, no authorization is left", async () => {
    emulator.ratePerAccount = 5;
    emulator.pendingPolls = 2;
    emulator.authorizationDelayMs = 300;
    // One machine: the runs share the user's state directory (pair locks, journal) and pacing schedule.
    const env = { PHZ_STATE_DIR: tempDir("rerun-state"), PHZ_PACING_DIR: tempDir("rerun-pacing"), PHZ_TIMEOUT: "240" };
    const pairs = Array.from({ length: 30 }, () => fixture.pair());
    // Where each first run dies: right after the authorization, right after the association (INSYNC not yet
    // seen: the change id is journaled), or at a random moment (before AssumeRole, mid-request...).
    const points = pairs.map((_, i) => (i % 3 === 0 ? "step=authorize outcome=ok" : i % 3 === 1 ? "step=associate outcome=ok" : `${Math.round(200 + Math.random() * 4000)} ms`));
    const killedAt: string[] = [];
    const reruns = await Promise.all(
      pairs.map(async (p, i) => {
        const first = start(p.req, env);
        const point = points[i];
        if (point.endsWith(" ms")) await new Promise((r) => setTimeout(r, Number.parseInt(point, 10)));
        else await until(() => first.stderr.includes(point) || first.child.exitCode !== null, 120_000);
        const steps = [...first.stderr.matchAll(/step=(\S+) outcome=(\S+)/g)].map((m) => `${m[1]}:${m[2]}`);
        killedAt.push(`${point} -> ${first.child.exitCode === null ? `killed after [${steps.join(" ")}]` : `had exited ${first.child.exitCode}`}`);
        first.child.kill("SIGKILL");
        await first.exit;
        // At once, as a retried job does.
        const again = start(p.req, env);
        return { code: await again.exit, stderr: again.stderr };
      }),
    );
    expect(reruns.filter((r) => r.code !== 0).map((r) => r.stderr.split("\n").filter((l) => /FAILED|failed/.test(l)).join(" | "))).toEqual([]);
    for (const p of pairs) expect(emulator.associations(p.zoneId)).toContain(`${p.req.vpcId}@${p.req.vpcRegion}`);
    // The killed runs' guards wake 2 s after their parent died: none may take a re-run's authorization, and
    // each leaves nothing behind.
    await until(() => emulator.authorizationsLeft().length === 0, 30_000);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(emulator.authorizationsLeft()).toEqual([]);
    const log = fs.existsSync(path.join(env.PHZ_STATE_DIR, "guard.log")) ? fs.readFileSync(path.join(env.PHZ_STATE_DIR, "guard.log"), "utf8") : "";
    expect(log).not.toMatch(/FAILED/);
    const throttled = emulator.callsByAccount();
    process.stdout.write(`rerun: ${killedAt.filter((k) => k.includes("killed")).length} of 30 first runs killed mid-way; guards: ${(log.match(/swept: deleted/g) ?? []).length} deleted, ${(log.match(/swept: newer-run/g) ?? []).length} left it to the re-run, ${(log.match(/swept: none-left/g) ?? []).length} found none; hub throttled ${throttled["111122223333"]?.throttled ?? 0} times\n`);
  }, 300_000);

  it("a journaled change that Route 53 does not know is checked against the association, not a failure", async () => {
    const { zoneId, req } = fixture.pair();
    const journal = new Journal(path.join(tempDir("journal"), "journal"));
    await associate(req, { ...fixture.fast(), journal });
    // What a crashed run leaves: the id of a change, which Route 53 forgot (or another account submitted).
    journal.record(`${zoneId}-${req.vpcId}-${req.vpcRegion}`, "/change/CFORGOTTEN0000");
    emulator.forgetChanges();
    const again = await associate(req, { ...fixture.fast(), journal });
    expect(again.result).toBe("already-associated");
    expect(fixture.lines.some((l) => l.includes("step=wait-insync outcome=change-unknown"))).toBe(true);
    expect(journal.read(`${zoneId}-${req.vpcId}-${req.vpcRegion}`)).toBeUndefined();
  });
});

describe("waits have a deadline", () => {
  it("a pacing slot 10 minutes ahead (a clock stepped back, a file anyone could write) is corrupt: the run goes on at once", async () => {
    const { req } = fixture.pair();
    const dir = tempDir("pacing-ahead");
    const pacer = new FilePacer({ dir });
    for (const account of ["111122223333", "222233334444"]) fs.writeFileSync(path.join(dir, `${account}.next`), String(Date.now() + 10 * 60_000));
    const started = Date.now();
    const outcome = await associate(req, { ...fixture.fast(), pacer });
    expect(outcome.result).toBe("associated");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a slot further than the deadline allows fails the run by its deadline instead of sleeping past it", async () => {
    const { req } = fixture.pair();
    const dir = tempDir("pacing-queue");
    const pacer = new FilePacer({ dir });
    fs.writeFileSync(path.join(dir, "111122223333.next"), String(Date.now() + MAX_QUEUE_MS - 5_000));
    const started = Date.now();
    const error = await associate(req, { ...fixture.fast(), timeoutMs: 2_000, cleanupGraceMs: 1_000, pacer }).catch((e) => e);
    expect(error.message).toMatch(/past this run's deadline/);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("a pair lock held by a live process is waited for until the deadline; one held by a dead process is taken over", async () => {
    const dir = tempDir("locks");
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      fs.mkdirSync(path.join(dir, "locks"), { mode: 0o700 });
      fs.writeFileSync(path.join(dir, "locks", "pair-1.lock"), JSON.stringify({ pid: sleeper.pid }));
      const started = Date.now();
      await expect(new PairLock(dir, "pair-1").acquire({ deadline: Date.now() + 1_000, wait: true })).rejects.toThrow(`another run of this pair (process ${sleeper.pid}) still holds it at the deadline`);
      expect(Date.now() - started).toBeLessThan(3_000);
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
      fs.writeFileSync(path.join(dir, "locks", "pair-2.lock"), JSON.stringify({ pid: dead }));
      expect(await new PairLock(dir, "pair-2").acquire({ deadline: Date.now() + 1_000, wait: true })).toEqual({ acquired: true });
    } finally {
      sleeper.kill();
    }
  });
});

describe("the state directory is the user's own", () => {
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [BUNDLE, "associate", "--zone-id", "Z0123456789ABCDEFGHIJ", "--vpc-id", "vpc-0a1b2c3d4e5f60718", "--vpc-region", "ap-northeast-1"], { env: { ...process.env, ...fixture.environment(), ...env }, encoding: "utf8", timeout: 30_000 });

  it("a state directory that is a symbolic link, or writable by others, is refused (exit 2) before any call", () => {
    const base = tempDir("state-checks");
    fs.mkdirSync(path.join(base, "real"), { mode: 0o700 });
    fs.symlinkSync(path.join(base, "real"), path.join(base, "link"));
    const linked = run({ PHZ_STATE_DIR: path.join(base, "link") });
    expect([linked.status, linked.stderr]).toEqual([2, expect.stringContaining("is a symbolic link: refused")]);
    fs.mkdirSync(path.join(base, "open"));
    fs.chmodSync(path.join(base, "open"), 0o777);
    const open = run({ PHZ_STATE_DIR: path.join(base, "open") });
    expect([open.status, open.stderr]).toEqual([2, expect.stringContaining("is writable by others (mode 777): refused")]);
    expect(fs.statSync(path.join(base, "open")).mode & 0o777).toBe(0o777); // never chmod-ed behind the user's back
    expect(emulator.route53Calls()).toEqual([]);
  });

  it("a journal entry planted as a symbolic link is replaced, never written through", async () => {
    const { zoneId, req } = fixture.pair();
    const state = tempDir("planted");
    const dir = path.join(state, "journal");
    fs.mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(tempDir("victim"), "important.txt");
    fs.writeFileSync(victim, "do not touch\n");
    const key = `${zoneId}-${req.vpcId}-${req.vpcRegion}`;
    fs.symlinkSync(victim, path.join(dir, `${key.replace(/[^A-Za-z0-9-]+/g, "_")}.json`));
    emulator.pendingPolls = 1000; // the run stops waiting for INSYNC: its change id stays journaled
    await associate(req, { ...fixture.fast(), timeoutMs: 1_500, journal: new Journal(dir) }).catch(() => undefined);
    expect(fs.readFileSync(victim, "utf8")).toBe("do not touch\n");
    expect(fs.lstatSync(path.join(dir, `${key.replace(/[^A-Za-z0-9-]+/g, "_")}.json`)).isSymbolicLink()).toBe(false);
  });
});
