/**
 * The estate of the source articles built by hand, through the SDK, exactly as their console procedures do it:
 * what `privatelink import` adopts in its emulator test and in the walkthrough of docs/import.md.
 *
 * - seed 000: three Session Manager endpoints (ssm, ssmmessages, ec2messages) in the hub account, private DNS
 *   off, one security group; a private zone per name with an alias A record to the endpoint; a spoke VPC of
 *   another account associated through the handshake (authorize, associate, delete the authorization);
 * - seed 001: the S3 interface endpoint, its zone with apex and `*` alias records, a Resolver inbound endpoint
 *   with pinned addresses and a security group admitting DNS from the on-prem network;
 * - seeds 002/003: an internal NLB in two AZs with its security group (HTTP 80 from the consumer VPC), a TCP 80
 *   listener, an instance target group with two instances, an endpoint service with acceptance required and the
 *   consumer account allowed, in a service account; the consumer's interface endpoint (security group: 80 from
 *   its VPC) in the spoke VPC, accepted by the owner;
 * - what a real hub VPC also holds, which the import must leave alone: an endpoint with private DNS on, a public
 *   zone, another load balancer; and an authorization someone forgot to delete.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointServicePermissionsCommand,
} from "@aws-sdk/client-ec2";
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteVPCAssociationAuthorizationCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { CreateResolverEndpointCommand, Route53ResolverClient } from "@aws-sdk/client-route53resolver";
import { createTargets, createVpc, EmulatorCredentials, FixtureVpc } from "./emulator-fixtures";

export const REGION = "ap-northeast-1";
export const ACCOUNTS = {
  hub: { id: "111122223333", deployRoleArn: "arn:aws:iam::111122223333:role/privatelink-deployer" },
  spoke: { id: "222233334444", deployRoleArn: "arn:aws:iam::222233334444:role/privatelink-deployer" },
  service: { id: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/privatelink-deployer" },
} as const;
export const ON_PREM = "192.168.0.0/16";
export const HUB_SERVICES = ["ssm", "ssmmessages", "ec2messages", "s3"] as const;

export interface HandBuiltEstate {
  readonly hubVpc: FixtureVpc;
  readonly spokeVpc: FixtureVpc;
  readonly endpointGroup: string;
  readonly resolverGroup: string;
  /** Endpoint id per service. */
  readonly endpoints: Record<string, string>;
  /** Zone id per zone name. */
  readonly zones: Record<string, string>;
  readonly resolverId: string;
  readonly resolverIps: readonly string[];
  readonly unrelated: { readonly privateDnsEndpoint: string; readonly publicZone: string; readonly loadBalancer: string };
  /** Seeds 002/003: the service and its consumer. */
  readonly service: {
    readonly vpc: FixtureVpc;
    readonly loadBalancer: string;
    readonly loadBalancerGroup: string;
    readonly listener: string;
    readonly targetGroup: string;
    readonly instances: readonly string[];
    readonly serviceId: string;
    readonly serviceName: string;
    readonly consumerEndpoint: string;
    readonly consumerGroup: string;
  };
  /** The zone whose authorization of the spoke VPC was left standing. */
  readonly standingAuthorization: string;
}

const ref = (what: string) => `${what}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

export async function buildHandBuiltEstate(endpoint: string, credentials: (accountId: string) => Promise<EmulatorCredentials>): Promise<HandBuiltEstate> {
  const hubCredentials = await credentials(ACCOUNTS.hub.id);
  const spokeCredentials = await credentials(ACCOUNTS.spoke.id);
  const ec2 = new EC2Client({ region: REGION, endpoint, credentials: hubCredentials });
  const route53 = new Route53Client({ region: "us-east-1", endpoint, credentials: hubCredentials });
  const spokeRoute53 = new Route53Client({ region: "us-east-1", endpoint, credentials: spokeCredentials });

  const hubVpc = await createVpc(endpoint, hubCredentials, REGION, "10.0.0.0/16", [
    { az: "a", cidr: "10.0.1.0/24" },
    { az: "c", cidr: "10.0.2.0/24" },
  ]);
  await ec2.send(new CreateTagsCommand({ Resources: [hubVpc.vpcId], Tags: [{ Key: "Name", Value: "hub-tokyo" }] }));
  const spokeVpc = await createVpc(endpoint, spokeCredentials, REGION, "10.1.0.0/16", [
    { az: "a", cidr: "10.1.1.0/24" },
    { az: "c", cidr: "10.1.2.0/24" },
  ]);
  await new EC2Client({ region: REGION, endpoint, credentials: spokeCredentials }).send(new CreateTagsCommand({ Resources: [spokeVpc.vpcId], Tags: [{ Key: "Name", Value: "app-tokyo" }] }));

  // One security group for the endpoints: HTTPS from the hub, the spoke and on-prem (as the articles do).
  const endpointGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: hubVpc.vpcId, GroupName: "vpce-shared", Description: "VPC endpoints (by hand)" }))).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: endpointGroup,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16" }, { CidrIp: "10.1.0.0/16" }, { CidrIp: ON_PREM }] }],
    }),
  );
  const subnetIds = hubVpc.subnets.map((s) => s.id);
  const endpoints: Record<string, string> = {};
  for (const service of HUB_SERVICES) {
    const made = await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: hubVpc.vpcId, ServiceName: `com.amazonaws.${REGION}.${service}`, VpcEndpointType: "Interface", PrivateDnsEnabled: false, SubnetIds: subnetIds, SecurityGroupIds: [endpointGroup] }),
    );
    endpoints[service] = made.VpcEndpoint!.VpcEndpointId!;
  }
  const described = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: Object.values(endpoints) }))).VpcEndpoints ?? [];
  const regional = (id: string) => described.find((e) => e.VpcEndpointId === id)!.DnsEntries![0];

  // A zone per name, alias A records to the endpoint's regional name (S3: apex and *).
  const zones: Record<string, string> = {};
  for (const service of HUB_SERVICES) {
    const name = `${service}.${REGION}.amazonaws.com`;
    const zone = await route53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: ref(service), VPC: { VPCId: hubVpc.vpcId, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true, Comment: "made by hand" } }));
    const zoneId = zone.HostedZone!.Id!.replace(/^\/hostedzone\//, "");
    zones[name] = zoneId;
    const target = regional(endpoints[service]);
    const names = service === "s3" ? [name, `*.${name}`] : [name];
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: names.map((n) => ({ Action: "CREATE", ResourceRecordSet: { Name: n, Type: "A", AliasTarget: { DNSName: target.DnsName!, HostedZoneId: target.HostedZoneId!, EvaluateTargetHealth: false } } })) },
      }),
    );
  }
  // The spoke joins every zone through the handshake; one authorization is left behind (forgotten).
  const standingAuthorization = `ec2messages.${REGION}.amazonaws.com`;
  for (const [name, zoneId] of Object.entries(zones)) {
    const vpc = { VPCId: spokeVpc.vpcId, VPCRegion: REGION } as const;
    await route53.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC: vpc }));
    await spokeRoute53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC: vpc }));
    if (name !== standingAuthorization) await route53.send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC: vpc }));
  }

  // Seed 001: the Resolver inbound endpoint, pinned addresses, DNS from on-prem only.
  const resolverGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: hubVpc.vpcId, GroupName: "resolver-inbound", Description: "DNS from the datacenter" }))).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: resolverGroup,
      IpPermissions: [
        { IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: ON_PREM }] },
        { IpProtocol: "tcp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: ON_PREM }] },
      ],
    }),
  );
  const resolverIps = ["10.0.1.53", "10.0.2.53"];
  const resolver = await new Route53ResolverClient({ region: REGION, endpoint, credentials: hubCredentials }).send(
    new CreateResolverEndpointCommand({
      CreatorRequestId: ref("resolver"),
      Name: "datacenter-dns",
      Direction: "INBOUND",
      SecurityGroupIds: [resolverGroup],
      IpAddresses: hubVpc.subnets.map((s, i) => ({ SubnetId: s.id, Ip: resolverIps[i] })),
    }),
  );

  // What else the hub VPC holds: none of it is the import's.
  const kms = await ec2.send(new CreateVpcEndpointCommand({ VpcId: hubVpc.vpcId, ServiceName: `com.amazonaws.${REGION}.kms`, VpcEndpointType: "Interface", PrivateDnsEnabled: true, SubnetIds: subnetIds, SecurityGroupIds: [endpointGroup] }));
  const publicZone = await route53.send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: ref("public") }));
  const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint, credentials: hubCredentials });
  const other = await elb.send(new CreateLoadBalancerCommand({ Name: "hub-tools", Type: "network", Scheme: "internal", Subnets: subnetIds }));

  // Seeds 002/003: an internal NLB and an endpoint service with acceptance required, in the service account.
  const serviceCredentials = await credentials(ACCOUNTS.service.id);
  const serviceVpc = await createVpc(endpoint, serviceCredentials, REGION, "10.50.0.0/16", [
    { az: "a", cidr: "10.50.1.0/24" },
    { az: "c", cidr: "10.50.2.0/24" },
  ]);
  const serviceEc2 = new EC2Client({ region: REGION, endpoint, credentials: serviceCredentials });
  const serviceElb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint, credentials: serviceCredentials });
  const targets = await createTargets(endpoint, serviceCredentials, REGION, serviceVpc, 2);
  const nlbGroup = (await serviceEc2.send(new CreateSecurityGroupCommand({ VpcId: serviceVpc.vpcId, GroupName: "orders-nlb", Description: "orders NLB" }))).GroupId!;
  await serviceEc2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: nlbGroup, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: spokeVpc.cidr }] }] }));
  // "Easy to forget, then health checks fail": the targets admit 80 from the NLB's group.
  await serviceEc2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: targets.securityGroupId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: nlbGroup }] }] }));
  const nlb = (await serviceElb.send(new CreateLoadBalancerCommand({ Name: "orders-api", Type: "network", Scheme: "internal", Subnets: serviceVpc.subnets.map((s) => s.id), SecurityGroups: [nlbGroup] }))).LoadBalancers![0];
  const targetGroup = (await serviceElb.send(new CreateTargetGroupCommand({ Name: "orders-tg", Protocol: "TCP", Port: 80, VpcId: serviceVpc.vpcId, TargetType: "instance", HealthCheckProtocol: "TCP" }))).TargetGroups![0];
  await serviceElb.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroup.TargetGroupArn!, Targets: targets.instanceIds.map((id) => ({ Id: id, Port: 80 })) }));
  const listener = (await serviceElb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn!, Protocol: "TCP", Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroup.TargetGroupArn! }] }))).Listeners![0];
  const service = (
    await serviceEc2.send(
      new CreateVpcEndpointServiceConfigurationCommand({ AcceptanceRequired: true, NetworkLoadBalancerArns: [nlb.LoadBalancerArn!], TagSpecifications: [{ ResourceType: "vpc-endpoint-service", Tags: [{ Key: "Name", Value: "orders-api" }] }] }),
    )
  ).ServiceConfiguration!;
  await serviceEc2.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: service.ServiceId!, AddAllowedPrincipals: [`arn:aws:iam::${ACCOUNTS.spoke.id}:root`] }));
  // The consumer: an endpoint in the spoke VPC, 80 from that VPC; the owner accepts the connection.
  const spokeEc2 = new EC2Client({ region: REGION, endpoint, credentials: spokeCredentials });
  const consumerGroup = (await spokeEc2.send(new CreateSecurityGroupCommand({ VpcId: spokeVpc.vpcId, GroupName: "orders-client", Description: "orders endpoint" }))).GroupId!;
  await spokeEc2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: consumerGroup, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: spokeVpc.cidr }] }] }));
  const consumer = (
    await spokeEc2.send(
      new CreateVpcEndpointCommand({ VpcId: spokeVpc.vpcId, ServiceName: service.ServiceName!, VpcEndpointType: "Interface", PrivateDnsEnabled: false, SubnetIds: spokeVpc.subnets.map((s) => s.id), SecurityGroupIds: [consumerGroup] }),
    )
  ).VpcEndpoint!;
  await serviceEc2.send(new AcceptVpcEndpointConnectionsCommand({ ServiceId: service.ServiceId!, VpcEndpointIds: [consumer.VpcEndpointId!] }));

  return {
    hubVpc,
    spokeVpc,
    endpointGroup,
    resolverGroup,
    endpoints,
    zones,
    resolverId: resolver.ResolverEndpoint!.Id!,
    resolverIps,
    unrelated: {
      privateDnsEndpoint: kms.VpcEndpoint!.VpcEndpointId!,
      publicZone: publicZone.HostedZone!.Id!.replace(/^\/hostedzone\//, ""),
      loadBalancer: other.LoadBalancers![0].LoadBalancerArn!,
    },
    service: {
      vpc: serviceVpc,
      loadBalancer: nlb.LoadBalancerArn!,
      loadBalancerGroup: nlbGroup,
      listener: listener.ListenerArn!,
      targetGroup: targetGroup.TargetGroupArn!,
      instances: targets.instanceIds,
      serviceId: service.ServiceId!,
      serviceName: service.ServiceName!,
      consumerEndpoint: consumer.VpcEndpointId!,
      consumerGroup,
    },
    standingAuthorization,
  };
}
