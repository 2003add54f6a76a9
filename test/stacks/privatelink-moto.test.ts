/**
 * Applies and destroys the provider stack and a same-region consumer stack on moto (local target),
 * and checks through AWS SDK calls, in each account, what exists.
 *
 * Connection acceptance: moto does not implement AcceptVpcEndpointConnections, so the consumer here
 * uses `acceptance: manual` (the stack then outputs the owner's command, checked below). The accepter
 * resource itself is covered by the synth tests (provider alias, service and endpoint ids), by
 * `terraform validate`, and by `npm run e2e`, whose gap proxy implements the call in front of moto.
 */
import * as fs from "fs";
import * as path from "path";
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeSecurityGroupRulesCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { accountCredentials, createTargets, createVpc, EmulatorCredentials, FixtureVpc } from "../../scripts/emulator-fixtures";
import { applyStack, plannedChanges, terraformEnv, TerraformEnv } from "../../scripts/terraform-env";
import { Moto, startMoto } from "../emulator/moto";
import { synth, Synthesized, tempDir } from "../helpers";

const OWNER = "444455556666";
const CLIENT = "222233334444";
const role = (account: string) => `arn:aws:iam::${account}:role/privatelink-deployer`;
const REGION = "ap-northeast-1";

let moto: Moto;
let env: TerraformEnv;
let owner: EmulatorCredentials;
let client: EmulatorCredentials;
let providerVpc: FixtureVpc;
let consumerVpc: FixtureVpc;
let targets: { securityGroupId: string; instanceIds: string[] };
let out: Synthesized;

const dir = (stack: string) => path.join(out.outdir, "stacks", stack);
const terraformVars = () => ({ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });

beforeAll(async () => {
  env = terraformEnv(tempDir("tf"));
  moto = await startMoto();
  owner = await accountCredentials(moto.url, role(OWNER));
  client = await accountCredentials(moto.url, role(CLIENT));
  providerVpc = await createVpc(moto.url, owner, REGION, "10.50.0.0/16", [{ az: "a", cidr: "10.50.1.0/24" }, { az: "c", cidr: "10.50.2.0/24" }]);
  // The consumer's CIDR overlaps the provider's on purpose (seed 002).
  consumerVpc = await createVpc(moto.url, client, REGION, "10.50.0.0/16", [{ az: "a", cidr: "10.50.1.0/24" }, { az: "c", cidr: "10.50.2.0/24" }]);
  targets = await createTargets(moto.url, owner, REGION, providerVpc, 2);
  const topology = {
    name: "moto-privatelink",
    target: { kind: "local", endpoint: moto.url },
    backend: { kind: "local", directory: "state" },
    accounts: {
      owner: { id: OWNER, deployRoleArn: role(OWNER) },
      client: { id: CLIENT, deployRoleArn: role(CLIENT) },
    },
    vpcs: {
      provider: { account: "owner", region: REGION, vpcId: providerVpc.vpcId, cidr: providerVpc.cidr, subnets: providerVpc.subnets },
      consumer: { account: "client", region: REGION, vpcId: consumerVpc.vpcId, cidr: consumerVpc.cidr, subnets: consumerVpc.subnets },
    },
    privateLink: {
      orders: {
        provider: {
          vpc: "provider",
          listeners: [{ port: 80 }],
          targets: { type: "instance", ids: targets.instanceIds, securityGroupId: targets.securityGroupId },
        },
        consumers: { tokyo: { vpc: "consumer", acceptance: "manual" } },
      },
    },
  };
  out = synth(topology, { hcl: false });
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe("PrivateLink on moto", () => {
  it("applies the provider stack: internal NLB in two AZs, target group, listener, endpoint service, principals", async () => {
    const apply = await applyStack(env, dir("service-orders"), "apply", terraformVars());
    expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: "" });

    const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: moto.url, credentials: owner });
    const [lb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["orders"] }))).LoadBalancers!;
    expect(lb).toMatchObject({ Scheme: "internal", Type: "network", VpcId: providerVpc.vpcId });
    expect(lb.AvailabilityZones!.map((z) => z.ZoneName).sort()).toEqual(["ap-northeast-1a", "ap-northeast-1c"]);
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups!;
    expect(group).toMatchObject({ Port: 80, Protocol: "TCP", TargetType: "instance", HealthCheckProtocol: "TCP" });
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }));
    expect(health.TargetHealthDescriptions!.map((t) => t.Target!.Id).sort()).toEqual([...targets.instanceIds].sort());
    const [listener] = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
    expect(listener).toMatchObject({ Port: 80, Protocol: "TCP", DefaultActions: [expect.objectContaining({ Type: "forward", TargetGroupArn: group.TargetGroupArn })] });

    const ec2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: owner });
    const nlbGroup = lb.SecurityGroups![0];
    const targetRules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [targets.securityGroupId] }] }))).SecurityGroupRules!;
    expect(targetRules.filter((r) => !r.IsEgress).map((r) => [r.FromPort, r.ReferencedGroupInfo?.GroupId])).toEqual([[80, nlbGroup]]);
    const nlbRules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [nlbGroup] }] }))).SecurityGroupRules!;
    expect(nlbRules.filter((r) => !r.IsEgress).map((r) => [r.FromPort, r.CidrIpv4])).toEqual([[80, "10.50.0.0/16"]]);

    const [config] = (await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations!;
    expect(config).toMatchObject({ AcceptanceRequired: true, NetworkLoadBalancerArns: [lb.LoadBalancerArn] });
    expect(config.SupportedRegions?.map((r) => r.Region)).toEqual([REGION]);
    const permissions = await ec2.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: config.ServiceId }));
    expect(permissions.AllowedPrincipals!.map((p) => p.Principal)).toEqual([`arn:aws:iam::${CLIENT}:root`]);

    // A fresh plan changes nothing but what moto 5.2 does not model: it does not return the PrivateLink
    // enforcement flag, writes same-account group references as "<account>/sg-...", and reads a rule's
    // description only from CIDR rules (moto/ec2/models/security_groups.py, SecurityRule.description).
    expect(await plannedChanges(env, dir("service-orders"), terraformVars())).toEqual({
      "aws_lb.orders": ["enforce_security_group_inbound_rules_on_private_link_traffic"],
      "aws_vpc_security_group_egress_rule.orders-nlb_out_tcp_80_targets": ["description", "referenced_security_group_id"],
      "aws_vpc_security_group_ingress_rule.orders_targets-from-nlb_80": ["description", "referenced_security_group_id"],
    });
  }, 300_000);

  it("applies the consumer stack in the other account: interface endpoint to the service name, and the owner's accept command", async () => {
    const apply = await applyStack(env, dir("consumer-orders-tokyo"), "apply", terraformVars());
    expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: "" });
    const ownerEc2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: owner });
    const [config] = (await ownerEc2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations!;
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: client });
    const [endpoint] = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [consumerVpc.vpcId] }] }))).VpcEndpoints!;
    expect(endpoint).toMatchObject({ VpcEndpointType: "Interface", ServiceName: config.ServiceName, PrivateDnsEnabled: false });
    expect([...endpoint.SubnetIds!].sort()).toEqual(consumerVpc.subnets.map((s) => s.id).sort());
    expect(apply.stdout).toContain(
      `accept_command = "aws ec2 accept-vpc-endpoint-connections --region ${REGION} --service-id ${config.ServiceId} --vpc-endpoint-ids ${endpoint.VpcEndpointId}"`,
    );
    expect(await plannedChanges(env, dir("consumer-orders-tokyo"), terraformVars())).toEqual({});

    // service_region cannot be modified: setting it on an existing endpoint plans a replacement.
    const file = path.join(dir("consumer-orders-tokyo"), "cdk.tf.json");
    const original = fs.readFileSync(file, "utf8");
    const stack = JSON.parse(original);
    stack.resource.aws_vpc_endpoint["orders-tokyo"].service_region = "us-east-1";
    fs.writeFileSync(file, JSON.stringify(stack));
    try {
      expect(await plannedChanges(env, dir("consumer-orders-tokyo"), terraformVars())).toEqual({
        "aws_vpc_endpoint.orders-tokyo": ["delete+create", "replace:service_region"],
      });
    } finally {
      fs.writeFileSync(file, original);
    }
  }, 300_000);

  it("destroys both stacks, consumer first, and leaves nothing managed behind", async () => {
    for (const stack of ["consumer-orders-tokyo", "service-orders"]) {
      const destroy = await applyStack(env, dir(stack), "destroy", terraformVars());
      expect({ stack, status: destroy.status, stderr: destroy.stderr }).toEqual({ stack, status: 0, stderr: "" });
    }
    const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: moto.url, credentials: owner });
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    const ownerEc2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: owner });
    expect((await ownerEc2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations).toEqual([]);
    const targetRules = (await ownerEc2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [targets.securityGroupId] }] }))).SecurityGroupRules!;
    expect(targetRules.filter((r) => !r.IsEgress)).toEqual([]);
    const ec2 = new EC2Client({ region: REGION, endpoint: moto.url, credentials: client });
    const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [consumerVpc.vpcId] }] }))).VpcEndpoints!;
    expect(endpoints.filter((e) => String(e.State).toLowerCase() !== "deleted")).toEqual([]);
  }, 300_000);
});
