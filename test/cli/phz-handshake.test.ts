/**
 * The handshake script against the Route 53 emulator over real HTTP, with the real SDK clients
 * (endpoint override). Every scenario asserts the end state: associated (or cleanly failed) and
 * zero authorizations left.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { CreateVPCAssociationAuthorizationCommand, AssociateVPCWithHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { EXIT, HandshakeError } from "../../cli/phz-handshake/errors";
import { associate, disassociate } from "../../cli/phz-handshake/protocol";
import { Fault } from "../../tools/route53-emulator";
import { BUNDLE, HandshakeFixture, HUB, HUB_ROLE, SPOKE, SPOKE_ROLE } from "./handshake-fixture";

const fixture = new HandshakeFixture();
const { emulator } = fixture;
const fast = () => fixture.fast();
const pair = (options: { spokeAccount?: string; spokeRegion?: string } = {}) => fixture.pair(options);
const authorizationsFor = (zoneId: string) => fixture.authorizationsFor(zoneId);

beforeAll(() => fixture.start());
afterAll(() => emulator.stop());
beforeEach(() => fixture.reset());

describe("the emulator enforces Route 53's cross-account rules", () => {
  it("lets only the zone owner manage authorizations, and a VPC owner associate only while authorized", async () => {
    const { zoneId, spokeVpc } = pair();
    const spoke = new Route53Client({ region: "us-east-1", maxAttempts: 1, credentials: await assumed(SPOKE_ROLE) });
    await expect(
      spoke.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC: { VPCId: spokeVpc.id, VPCRegion: spokeVpc.region as never } })),
    ).rejects.toMatchObject({ name: "NoSuchHostedZone" });
    await expect(
      spoke.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC: { VPCId: spokeVpc.id, VPCRegion: spokeVpc.region as never } })),
    ).rejects.toMatchObject({ name: "NotAuthorizedException" });
    expect(emulator.associations(zoneId)).toHaveLength(1);
  });
});

async function assumed(roleArn: string) {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ region: "us-east-1" });
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "t" }));
  return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken };
}

describe("associate", () => {
  it("cross-account, cross-region: authorize, associate, wait INSYNC, delete the authorization (3 calls + polls, 2 of them the hub's)", async () => {
    const { zoneId, spokeVpc, req } = pair();
    const outcome = await associate(req, fast());
    expect(outcome.result).toBe("associated");
    expect(outcome.insync).toBe("observed");
    expect(outcome.route53Calls).toEqual([
      "CreateVPCAssociationAuthorization",
      "AssociateVPCWithHostedZone",
      "GetChange",
      "GetChange",
      "DeleteVPCAssociationAuthorization",
    ]);
    expect(emulator.associations(zoneId)).toContain(`${spokeVpc.id}@ap-northeast-3`);
    expect(authorizationsFor(zoneId)).toEqual([]);
    // Each side acted with its own account.
    const byOperation = Object.fromEntries(emulator.route53Calls().map((c) => [c.operation, c.account]));
    expect(byOperation).toMatchObject({
      CreateVPCAssociationAuthorization: HUB,
      AssociateVPCWithHostedZone: SPOKE,
      GetChange: SPOKE,
      DeleteVPCAssociationAuthorization: HUB,
    });
    // The hub account, shared by every spoke, is asked only to create and delete the authorization.
    expect(outcome.callsByAccount).toEqual({ [HUB]: 2, [SPOKE]: 3 });
    // One progress line per step: pair, step, outcome, elapsed; no credentials.
    expect(fixture.lines.map((l) => / step=(\S+) outcome=(\S+)/.exec(l)!.slice(1).join(":"))).toEqual([
      "authorize:ok",
      "associate:ok",
      "wait-insync:insync",
      "deauthorize:ok",
    ]);
    for (const line of fixture.lines) expect(line).toMatch(new RegExp(`^phz-handshake ${zoneId} ${spokeVpc.id} \\(ap-northeast-3\\) step=\\S+ outcome=\\S+ attempts=\\d+ elapsed=\\d+\\.\\d\\ds`));
    expect(fixture.lines.join("\n")).not.toMatch(/ASIA|AKIA|SecretAccessKey|SessionToken|not-a-secret/);
  });

  it("is idempotent: a re-run on an associated pair makes no change", async () => {
    const { zoneId, req } = pair();
    await associate(req, fast());
    emulator.clearCalls();
    const again = await associate(req, fast());
    expect(again.result).toBe("already-associated");
    expect(again.insync).toBe("unconfirmed");
    // Route 53's ConflictingDomainExists says "done before"; the VPC owner confirms it is this zone.
    expect(again.route53Calls).toEqual(["CreateVPCAssociationAuthorization", "AssociateVPCWithHostedZone", "ListHostedZonesByVPC", "DeleteVPCAssociationAuthorization"]);
    expect(emulator.route53Calls().filter((c) => c.operation === "AssociateVPCWithHostedZone").map((c) => c.error)).toEqual(["ConflictingDomainExists"]);
    expect(emulator.associations(zoneId)).toHaveLength(2);
    expect(authorizationsFor(zoneId)).toEqual([]);
  });

  it("same account: no authorization is created at all", async () => {
    const { zoneId, spokeVpc, req } = pair({ spokeAccount: HUB, spokeRegion: "ap-northeast-1" });
    const outcome = await associate(req, fast());
    expect(outcome.route53Calls).toEqual(["AssociateVPCWithHostedZone", "GetChange", "GetChange"]);
    expect(emulator.associations(zoneId)).toContain(`${spokeVpc.id}@ap-northeast-1`);
    expect(emulator.route53Calls().some((c) => c.operation.includes("Authorization"))).toBe(false);
  });

  it("ConflictingDomainExists: says the spoke already has a zone of that name and what to do; no authorization left", async () => {
    const { zoneId, zoneName, spokeVpc, req } = pair();
    // The spoke's own endpoint with private DNS on owns a zone of the same name.
    emulator.addZone(zoneName, SPOKE, spokeVpc);
    const error = await associate(req, fast()).catch((e) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error.exitCode).toBe(EXIT.conflictingDomain);
    expect(error.message).toContain(`already uses another private hosted zone named ${zoneName}`);
    expect(error.message).toContain("delete that endpoint or turn its private DNS off");
    expect(emulator.associations(zoneId)).toHaveLength(1);
    expect(authorizationsFor(zoneId)).toEqual([]);
  });

  it("a VPC the VPC role cannot see is bad input (exit 2), and nothing is left behind", async () => {
    const { zoneId, req } = pair();
    const error = await associate({ ...req, vpcRoleArn: `arn:aws:iam::333344445555:role/x` }, fast()).catch((e) => e);
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.message).toMatch(/InvalidVPCId/);
    expect(error.message).not.toMatch(/standing permission/);
    expect(authorizationsFor(zoneId)).toEqual([]);
  });

  it("gives up within its deadline on persistent throttling, and still deletes the authorization", async () => {
    const { zoneId, req } = pair();
    emulator.inject({ operation: "AssociateVPCWithHostedZone", fault: "Throttling", times: 10_000 });
    const started = Date.now();
    const error = await associate(req, { ...fast(), timeoutMs: 600 }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.exitCode).toBe(EXIT.awsFailure);
    expect(error.message).toMatch(/AssociateVPCWithHostedZone: gave up after \d+ attempts/);
    expect(emulator.associations(zoneId)).toHaveLength(1);
    expect(authorizationsFor(zoneId)).toEqual([]);
    expect(fixture.lines.some((l) => l.includes("step=deauthorize outcome=ok"))).toBe(true);
  });

  it("says loudly, with the command to run, when the authorization cannot be deleted", async () => {
    const { zoneId, req } = pair();
    emulator.inject({ operation: "DeleteVPCAssociationAuthorization", fault: "InternalError", times: 10_000 });
    const error = await associate(req, { ...fast(), timeoutMs: 300 }).catch((e) => e);
    emulator.clearFaults();
    expect(error.exitCode).toBe(EXIT.awsFailure);
    expect(error.message).toContain("could NOT be deleted");
    expect(error.message).toContain(`aws route53 delete-vpc-association-authorization --hosted-zone-id ${zoneId}`);
    expect(authorizationsFor(zoneId)).toHaveLength(1);
    // The next run (terraform re-apply) cleans it up.
    await associate(req, fast());
    expect(authorizationsFor(zoneId)).toEqual([]);
  });
});

describe("fault matrix", () => {
  const faults: Fault[] = ["Throttling", "PriorRequestNotComplete", "ConcurrentModification", "InternalError", "ServiceUnavailable", "drop", "drop-after-commit", "stall"];
  const operations = ["AssumeRole", "ListHostedZonesByVPC", "CreateVPCAssociationAuthorization", "AssociateVPCWithHostedZone", "GetChange", "DeleteVPCAssociationAuthorization"];
  const results: string[] = [];

  afterAll(() => {
    // The matrix that ran, for the record (printed once).
    process.stdout.write(`fault matrix (fault x operation, twice in a row): ${results.length} scenarios, all associated with 0 authorizations left\n`);
  });

  for (const fault of faults) {
    it(`${fault} (twice, on each operation) ends associated with zero authorizations`, async () => {
      for (const operation of operations) {
        const { zoneId, spokeVpc, req } = pair();
        emulator.clearFaults();
        emulator.inject({ operation, fault, times: 2 });
        const outcome = await associate(req, fast());
        expect({ operation, result: outcome.result === "associated" || outcome.result === "already-associated" }).toEqual({ operation, result: true });
        expect({ operation, associations: emulator.associations(zoneId) }).toEqual({ operation, associations: expect.arrayContaining([`${spokeVpc.id}@ap-northeast-3`]) });
        expect({ operation, left: authorizationsFor(zoneId) }).toEqual({ operation, left: [] });
        results.push(`${fault}/${operation}`);
      }
    });
  }

  it("drops on disassociate and its polling still end disassociated", async () => {
    for (const fault of ["drop-after-commit", "Throttling", "stall"] as Fault[]) {
      const { zoneId, spokeVpc, req } = pair();
      await associate(req, fast());
      emulator.inject({ operation: "DisassociateVPCFromHostedZone", fault, times: 2 });
      emulator.inject({ operation: "GetChange", fault: "InternalError", times: 1 });
      const outcome = await disassociate(req, fast());
      expect(["disassociated", "not-associated"]).toContain(outcome.result);
      expect(emulator.associations(zoneId)).not.toContain(`${spokeVpc.id}@ap-northeast-3`);
      expect(authorizationsFor(zoneId)).toEqual([]);
    }
  });
});

describe("disassociate", () => {
  it("removes the VPC and cleans up any authorization; an unassociated pair is success", async () => {
    const { zoneId, spokeVpc, req } = pair();
    await associate(req, fast());
    emulator.clearCalls();
    const outcome = await disassociate(req, fast());
    expect(outcome.result).toBe("disassociated");
    expect(outcome.route53Calls).toEqual(["DisassociateVPCFromHostedZone", "GetChange", "GetChange", "DeleteVPCAssociationAuthorization"]);
    expect(emulator.route53Calls().find((c) => c.operation === "DisassociateVPCFromHostedZone")?.account).toBe(SPOKE);
    expect(emulator.associations(zoneId)).not.toContain(`${spokeVpc.id}@ap-northeast-3`);
    const again = await disassociate(req, fast());
    expect(again.result).toBe("not-associated");
  });

  it("treats a zone that is already gone as disassociated", async () => {
    const { req } = pair();
    const outcome = await disassociate({ ...req, zoneId: "Z0000000000000000GONE" }, fast());
    expect(outcome.result).toBe("not-associated");
  });
});

describe("many handshakes in parallel under a per-account rate limit", () => {
  it("all succeed with throttling retried, and no authorization is left", async () => {
    const pairs = Array.from({ length: 12 }, () => pair());
    // ~5 requests per second per account, as Route 53: emulate with throttling on every third call.
    for (const operation of ["ListHostedZonesByVPC", "CreateVPCAssociationAuthorization", "AssociateVPCWithHostedZone", "DeleteVPCAssociationAuthorization"]) {
      for (let nth = 3; nth < 40; nth += 3) emulator.inject({ operation, nth, fault: "Throttling" });
    }
    // A realistic request timeout: this test injects throttling, not stalls. (Should an answer still be
    // lost, the retry finds the pair associated and reports "already-associated": the same end state.)
    const outcomes = await Promise.all(pairs.map((p) => associate(p.req, { ...fast(), requestTimeoutMs: 5_000 })));
    for (const outcome of outcomes) expect(["associated", "already-associated"]).toContain(outcome.result);
    for (const p of pairs) {
      expect(emulator.associations(p.zoneId)).toContain(`${p.spokeVpc.id}@ap-northeast-3`);
      expect(authorizationsFor(p.zoneId)).toEqual([]);
    }
    expect(emulator.calls.filter((c) => c.error === "Throttling").length).toBeGreaterThan(10);
  });
});

describe("the bundled CLI (what terraform runs)", () => {
  /** Runs the bundle asynchronously: the emulator lives in this process and must keep answering. */
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BUNDLE, ...args], { env: { ...process.env, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });

  beforeAll(() => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build (npm test does it first)`);
  });

  it("runs from flags, with Route 53 and STS endpoints set per service, and exits 0", async () => {
    const { zoneId, spokeVpc } = pair();
    const result = await run(
      ["associate", "--zone-id", zoneId, "--vpc-id", spokeVpc.id, "--vpc-region", spokeVpc.region, "--zone-role-arn", HUB_ROLE, "--vpc-role-arn", SPOKE_ROLE],
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_ENDPOINT_URL_ROUTE_53: emulator.url, AWS_ENDPOINT_URL_STS: emulator.url },
    );
    expect(result.stderr).toContain("phz-handshake associate: associated (3 Route 53 calls + 2 GetChange polls); INSYNC observed");
    expect(result.status).toBe(0);
    expect(authorizationsFor(zoneId)).toEqual([]);
  });

  it("takes its arguments from PHZ_* variables (how the terraform module calls it)", async () => {
    const { zoneId, spokeVpc } = pair();
    // The run id terraform passes on (TF_VAR_privatelink_run_id, set by privatelink from the CI job) names the sessions.
    const env = { PHZ_ZONE_ID: zoneId, PHZ_VPC_ID: spokeVpc.id, PHZ_VPC_REGION: spokeVpc.region, PHZ_ZONE_ROLE_ARN: HUB_ROLE, PHZ_VPC_ROLE_ARN: SPOKE_ROLE, PRIVATELINK_RUN_ID: "", TF_VAR_privatelink_run_id: "gh-4242-2" };
    const before = emulator.calls.length;
    expect((await run(["associate"], env)).status).toBe(0);
    expect([...new Set(emulator.calls.slice(before).filter((c) => c.operation === "AssumeRole").map((c) => c.sessionName))]).toEqual(["phz-handshake-gh-4242-2"]);
    expect(emulator.associations(zoneId)).toContain(`${spokeVpc.id}@ap-northeast-3`);
    expect((await run(["disassociate"], env)).status).toBe(0);
    expect(emulator.associations(zoneId)).not.toContain(`${spokeVpc.id}@ap-northeast-3`);
  });

  it("exits 2 on bad input with every problem listed, and --help explains", async () => {
    const bad = await run(["associate", "--zone-id", "nope", "--vpc-region", "Tokyo"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--zone-id nope is not a hosted zone id");
    expect(bad.stderr).toContain("--vpc-id is required");
    expect(bad.stderr).toContain("--vpc-region Tokyo is not a region code");
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: phz-handshake <associate|disassociate>");
    expect(help.stdout).toContain("AWS_ENDPOINT_URL_ROUTE_53");
  });

  it("exits 4 on ConflictingDomainExists", async () => {
    const { zoneName, spokeVpc, req } = pair();
    emulator.addZone(zoneName, SPOKE, spokeVpc);
    const result = await run(["associate", "--zone-id", req.zoneId, "--vpc-id", req.vpcId, "--vpc-region", req.vpcRegion, "--zone-role-arn", HUB_ROLE, "--vpc-role-arn", SPOKE_ROLE]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain("ConflictingDomainExists");
  });

  it("recovers from a crash between associate and delete-authorization when re-run", async () => {
    const { zoneId, spokeVpc, req } = pair();
    const args = ["associate", "--zone-id", zoneId, "--vpc-id", req.vpcId, "--vpc-region", req.vpcRegion, "--zone-role-arn", HUB_ROLE, "--vpc-role-arn", SPOKE_ROLE];
    const child = spawn(process.execPath, [BUNDLE, ...args], { env: process.env, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // The moment the client asks to delete the authorization, the process dies (kill -9: no cleanup possible).
    emulator.inject({ operation: "DeleteVPCAssociationAuthorization", fault: "stall", onFire: () => child.kill("SIGKILL") });
    expect(await exited).toBe("SIGKILL");
    emulator.clearFaults();
    expect(emulator.associations(zoneId)).toContain(`${spokeVpc.id}@ap-northeast-3`);
    expect(authorizationsFor(zoneId)).toHaveLength(1); // the crash left a standing permission...

    const rerun = await run(args);
    expect(rerun.status).toBe(0);
    expect(rerun.stderr).toContain("step=check outcome=associated");
    expect(rerun.stderr).toContain("step=deauthorize outcome=ok");
    expect(authorizationsFor(zoneId)).toEqual([]); // ...which the re-run removed
    expect(emulator.associations(zoneId)).toContain(`${spokeVpc.id}@ap-northeast-3`);
  });
});
