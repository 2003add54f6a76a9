/**
 * The Route 53 wire emulator set up for handshake tests: accounts, a fresh (zone, spoke VPC) pair per
 * scenario, fast retry settings, and the environment that points the SDK at the emulator.
 */
import * as path from "path";
import { HandshakeConfig } from "../../cli/phz-handshake/protocol";
import { Route53Emulator } from "../../tools/route53-emulator";
import { ROOT } from "../helpers";

export const BASE = "999900001111"; // the identity running terraform
export const HUB = "111122223333";
export const SPOKE = "222233334444";
export const HUB_ROLE = `arn:aws:iam::${HUB}:role/privatelink-deployer`;
export const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/privatelink-deployer`;
export const BUNDLE = path.join(ROOT, "dist", "assets", "phz-handshake.cjs");

export class HandshakeFixture {
  readonly emulator = new Route53Emulator();
  lines: string[] = [];
  private counter = 0;

  /** Fast retry settings; progress lines go to `lines`. */
  fast(): Partial<HandshakeConfig> {
    return { timeoutMs: 8_000, requestTimeoutMs: 250, retryBaseMs: 5, retryCapMs: 40, pollMs: 5, cleanupGraceMs: 3_000, log: (line) => this.lines.push(line) };
  }

  /** A fresh hub zone and spoke VPC, so scenarios never share state. */
  pair(options: { spokeAccount?: string; spokeRegion?: string } = {}) {
    this.counter++;
    const hex = this.counter.toString(16).padStart(8, "0");
    const hubVpc = { id: `vpc-a${hex.slice(1)}`, region: "ap-northeast-1" };
    const spokeVpc = { id: `vpc-b${hex.slice(1)}`, region: options.spokeRegion ?? "ap-northeast-3" };
    this.emulator.addVpc(hubVpc.id, HUB, hubVpc.region);
    this.emulator.addVpc(spokeVpc.id, options.spokeAccount ?? SPOKE, spokeVpc.region);
    const zoneName = `svc${this.counter}.ap-northeast-1.amazonaws.com`;
    const zoneId = this.emulator.addZone(zoneName, HUB, hubVpc);
    const spokeRole = `arn:aws:iam::${options.spokeAccount ?? SPOKE}:role/privatelink-deployer`;
    return { zoneId, zoneName, hubVpc, spokeVpc, req: { zoneId, zoneName, vpcId: spokeVpc.id, vpcRegion: spokeVpc.region, zoneRoleArn: HUB_ROLE, vpcRoleArn: spokeRole } };
  }

  authorizationsFor(zoneId: string): string[] {
    return this.emulator.authorizationsLeft().filter((a) => a.startsWith(`${zoneId}|`));
  }

  /** Starts the emulator and points the SDK of this process (and its children) at it. */
  async start(): Promise<string> {
    const url = await this.emulator.start();
    this.emulator.addAccessKey("AKIABASE", BASE);
    Object.assign(process.env, this.environment(url));
    return url;
  }

  environment(url = this.emulator.url): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: "AKIABASE",
      AWS_SECRET_ACCESS_KEY: "not-a-secret",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
  }

  /** Between scenarios: no fault, no call log, default INSYNC timing, no limits. */
  reset(): void {
    this.lines = [];
    this.emulator.clearFaults();
    this.emulator.clearCalls();
    this.emulator.pendingPolls = 1;
    this.emulator.ratePerAccount = 0;
    this.emulator.authorizationDelayMs = 0;
  }
}
