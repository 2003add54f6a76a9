/**
 * Applies a hub stack with on-prem networks on moto (local target): interface endpoints, private zones
 * with alias records, the Resolver inbound endpoint with pinned addresses; then renders the on-prem
 * forwarders from the stack's real `terraform output -json` and checks them with the real parsers.
 *
 * Terraform talks to moto through the gap proxy (scripts/moto-gap-proxy.ts): moto makes a zone private
 * only when asked explicitly, while AWS (and the AWS provider) infer it from the VPC.
 */
import * as path from "path";
import { DescribeSecurityGroupRulesCommand, DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ListResolverEndpointIpAddressesCommand, ListResolverEndpointsCommand, Route53ResolverClient } from "@aws-sdk/client-route53resolver";
import { main as onpremDns } from "../../scripts/onprem-dns";
import { accountCredentials, createVpc, EmulatorCredentials, FixtureVpc } from "../../scripts/emulator-fixtures";
import { applyStack, plannedChanges, runTerraformAsync, terraformEnv, TerraformEnv } from "../../scripts/terraform-env";
import { MotoGapProxy } from "../../scripts/moto-gap-proxy";
import { Moto, startMoto } from "../emulator/moto";
import { synth, Synthesized, tempDir } from "../helpers";
import { parse } from "../dns-parsers";

const HUB = "111122223333";
const ROLE = `arn:aws:iam::${HUB}:role/privatelink-deployer`;
const REGION = "ap-northeast-1";
const ZONES = [
  "s3-accesspoint.ap-northeast-1.amazonaws.com",
  "s3-control.ap-northeast-1.amazonaws.com",
  "s3.ap-northeast-1.amazonaws.com",
  "ssm.ap-northeast-1.amazonaws.com",
];

let moto: Moto;
let proxy: MotoGapProxy;
let env: TerraformEnv;
let creds: EmulatorCredentials;
let vpc: FixtureVpc;
let out: Synthesized;
let stackDir: string;
const vars = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

beforeAll(async () => {
  env = terraformEnv(tempDir("tf"));
  moto = await startMoto();
  proxy = new MotoGapProxy(moto.url);
  await proxy.start();
  creds = await accountCredentials(moto.url, ROLE);
  vpc = await createVpc(moto.url, creds, REGION, "10.0.0.0/16", [{ az: "a", cidr: "10.0.1.0/24" }, { az: "c", cidr: "10.0.2.0/24" }]);
  out = synth(
    {
      name: "moto-hub",
      target: { kind: "local", endpoint: proxy.url },
      backend: { kind: "local", directory: "state" },
      accounts: { hub: { id: HUB, deployRoleArn: ROLE } },
      vpcs: { "hub-tokyo": { account: "hub", region: REGION, vpcId: vpc.vpcId, cidr: vpc.cidr, subnets: vpc.subnets } },
      hubs: {
        tokyo: {
          vpc: "hub-tokyo",
          services: ["ssm", "s3"],
          resolver: { ipAddresses: [{ subnet: vpc.subnets[0].id, ip: "10.0.1.53" }, { subnet: vpc.subnets[1].id, ip: "10.0.2.53" }] },
        },
      },
      onPrem: { datacenter: { cidrs: ["192.168.0.0/16"] } },
    },
    { hcl: false },
  );
  stackDir = path.join(out.outdir, "stacks", "hub-tokyo");
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe("hub with hybrid DNS on moto", () => {
  it("applies: endpoints with private DNS off, zones with alias records, the inbound resolver on the pinned addresses", async () => {
    const apply = await applyStack(env, stackDir, "apply", vars);
    expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: "" });

    const ec2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: creds });
    const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] }))).VpcEndpoints!;
    expect(endpoints.map((e) => [e.ServiceName, e.VpcEndpointType, e.PrivateDnsEnabled]).sort()).toEqual([
      ["com.amazonaws.ap-northeast-1.s3", "Interface", false],
      ["com.amazonaws.ap-northeast-1.ssm", "Interface", false],
    ]);

    const route53 = new Route53Client({ region: "us-east-1", endpoint: moto.url, credentials: creds });
    const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones!;
    expect(zones.map((z) => z.Name!.replace(/\.$/, "")).sort()).toEqual(ZONES);
    const s3 = zones.find((z) => z.Name === "s3.ap-northeast-1.amazonaws.com.")!;
    expect((await route53.send(new GetHostedZoneCommand({ Id: s3.Id }))).VPCs).toEqual([{ VPCId: vpc.vpcId, VPCRegion: REGION }]);
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s3.Id }))).ResourceRecordSets!.filter((r) => r.Type === "A");
    const s3Endpoint = endpoints.find((e) => e.ServiceName!.endsWith(".s3"))!;
    expect(records.map((r) => [r.Name, r.AliasTarget?.DNSName?.replace(/\.$/, "")])).toEqual([
      ["s3.ap-northeast-1.amazonaws.com.", s3Endpoint.DnsEntries![0].DnsName],
      ["\\052.s3.ap-northeast-1.amazonaws.com.", s3Endpoint.DnsEntries![0].DnsName],
    ]);

    const resolver = new Route53ResolverClient({ region: REGION, endpoint: moto.url, credentials: creds });
    const [inbound] = (await resolver.send(new ListResolverEndpointsCommand({}))).ResolverEndpoints!;
    expect(inbound).toMatchObject({ Direction: "INBOUND", IpAddressCount: 2, HostVPCId: vpc.vpcId });
    const ips = (await resolver.send(new ListResolverEndpointIpAddressesCommand({ ResolverEndpointId: inbound.Id }))).IpAddresses!;
    expect(ips.map((a) => [a.Ip, a.SubnetId]).sort()).toEqual([
      ["10.0.1.53", vpc.subnets[0].id],
      ["10.0.2.53", vpc.subnets[1].id],
    ]);
    const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: inbound.SecurityGroupIds! }] }))).SecurityGroupRules!;
    expect(rules.filter((r) => !r.IsEgress).map((r) => [r.IpProtocol, r.FromPort, r.CidrIpv4]).sort()).toEqual([
      ["tcp", 53, "192.168.0.0/16"],
      ["udp", 53, "192.168.0.0/16"],
    ]);
    expect(await plannedChanges(env, stackDir, vars)).toEqual({});
    expect(proxy.handled.filter((h) => h.operation === "CreateHostedZone").map((h) => h.outcome)).toEqual(ZONES.map(() => "made private (a VPC was given)"));
  }, 300_000);

  it("renders the on-prem forwarders from the stack's real terraform output -json, accepted by each parser", async () => {
    const outputs = await runTerraformAsync(env, stackDir, ["output", "-json"], vars);
    expect(outputs.status).toBe(0);
    expect(JSON.parse(outputs.stdout).resolver_inbound_ips.value).toEqual(["10.0.1.53", "10.0.2.53"]);
    for (const format of ["bind", "unbound", "dnsmasq"] as const) {
      const result = onpremDns(["--format", format, "--outputs", "-"], () => outputs.stdout);
      expect({ format, code: result.code, stderr: result.stderr }).toEqual({ format, code: 0, stderr: "" });
      for (const zone of ZONES) expect(result.stdout).toContain(zone);
      expect(result.stdout).toContain("10.0.2.53");
      expect({ format, status: parse(format, result.stdout).status }).toEqual({ format, status: 0 });
    }
  }, 120_000);

  it("destroys everything it created", async () => {
    const destroy = await applyStack(env, stackDir, "destroy", vars);
    expect({ status: destroy.status, stderr: destroy.stderr }).toEqual({ status: 0, stderr: "" });
    const route53 = new Route53Client({ region: "us-east-1", endpoint: moto.url, credentials: creds });
    expect((await route53.send(new ListHostedZonesCommand({}))).HostedZones).toEqual([]);
    const resolver = new Route53ResolverClient({ region: REGION, endpoint: moto.url, credentials: creds });
    expect((await resolver.send(new ListResolverEndpointsCommand({}))).ResolverEndpoints).toEqual([]);
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: creds });
    const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] }))).VpcEndpoints!;
    expect(endpoints.filter((e) => String(e.State).toLowerCase() !== "deleted")).toEqual([]);
  }, 300_000);
});
