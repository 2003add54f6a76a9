import { Construct } from "constructs";
import { TerraformProvider } from "../framework/core";
import { Lb, LbListener, LbTargetGroup, LbTargetGroupAttachment, VpcSecurityGroupIngressRule } from "../framework/aws";
import { IngressSecurityGroup, SecurityGroupRule } from "./ingress-security-group";
import { elbName, elbNameProblems } from "../aws/names";
import { throwIfProblems } from "./errors";
import { named, tfName } from "./naming";

export interface NlbListener {
  /** Port clients connect to. */
  readonly port: number;
  /**
   * Port on the targets.
   * @default - the listener's `port`
   */
  readonly targetPort?: number;
}

export interface NlbTargets {
  readonly type: "instance" | "ip";
  /** Instance ids or IPv4 addresses. */
  readonly ids: readonly string[];
  /**
   * The targets' own security group: receives the target ports from the NLB's group (health checks included).
   * @default - none: the NLB's egress goes to the VPC CIDR (instances) or the target IPs
   */
  readonly securityGroupId?: string;
}

export interface NetworkLoadBalancerProps {
  /** Provider of the owner's account and region. */
  readonly provider: TerraformProvider;
  /**
   * Base of the names (load balancer, target groups, security group). A name longer than AWS's 32
   * characters keeps its beginning and gets a stable hash of the whole (see `elbName`).
   */
  readonly name: string;
  /** VPC of the load balancer and its targets. */
  readonly vpcId: string;
  /** CIDR of that VPC (the egress peer for instance targets without a security group). */
  readonly vpcCidr: string;
  /** Private subnets of the load balancer. */
  readonly subnetIds: readonly string[];
  /** Number of distinct availability zones of `subnetIds`. Validated: two at least, unless `allowSingleAz`. */
  readonly availabilityZones: number;
  /**
   * Accept a load balancer in one availability zone (never with cross-region consumers).
   * @default false
   */
  readonly allowSingleAz?: boolean;
  /** TCP listeners. Validated: at least one, one per port. */
  readonly listeners: readonly NlbListener[];
  /** Targets. Validated: at least one. */
  readonly targets: NlbTargets;
  /** Client address ranges allowed on the listener ports (PrivateLink clients' own IPs, see below). */
  readonly clientCidrs: readonly string[];
  /**
   * The load balancer's name, fixed at creation (an adopted load balancer keeps the name it was built with).
   * @default - `elbName(name)`
   */
  readonly loadBalancerName?: string;
  /**
   * Target group names by target port, fixed at creation (adopted target groups keep theirs).
   * @default - `elbName(name, "-<port>")`
   */
  readonly targetGroupNames?: Readonly<Record<number, string>>;
  /**
   * An existing security group (an adopted load balancer's) that gets the listener and target rules; its
   * other rules are left alone. Validated: not with `withoutSecurityGroup`.
   * @default - a group is created
   */
  readonly existingSecurityGroupId?: string;
  /**
   * The load balancer has no security group and keeps none: AWS cannot add one to a load balancer created
   * without one (the provider replaces it), so an adopted one stays as it is and the targets' groups filter.
   * @default false
   */
  readonly withoutSecurityGroup?: boolean;
}


/**
 * An internal Network Load Balancer in front of instance or IP targets, for a PrivateLink service.
 *
 * Security groups, decided explicitly because NLB security groups silently dropping PrivateLink traffic
 * is a known trap (terraform-provider-aws #33766, aws-cdk #29516):
 * - the NLB has its own group and `enforce_security_group_inbound_rules_on_private_link_traffic = "on"`;
 *   with enforcement on, AWS evaluates PrivateLink traffic with the **client's private IP** as source
 *   (not the endpoint's interface), so the listener ports are opened to the declared consumer client
 *   CIDRs: traffic is filtered for real, and nothing declared is dropped;
 * - health checks obey the NLB group's *outbound* rules: egress on the target ports goes to the targets'
 *   group (or the VPC / target IPs);
 * - the targets' group gets the target ports from the NLB's group (seed 003: "easy to forget, then health
 *   checks fail").
 */
export class NetworkLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  /** Token of the load balancer's ARN (what `EndpointService` takes). */
  readonly loadBalancerArn: string;
  /** The load balancer's security group; undefined with `withoutSecurityGroup`. */
  readonly securityGroup?: IngressSecurityGroup;
  readonly targetGroups: ReadonlyMap<number, LbTargetGroup>;
  readonly listeners: readonly LbListener[];

  constructor(scope: Construct, id: string, props: NetworkLoadBalancerProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.availabilityZones < 2 && !props.allowSingleAz) problems.push(`subnetIds span ${props.availabilityZones} availability zone(s); at least two are needed (or allowSingleAz)`);
    if (props.listeners.length === 0) problems.push("listeners is empty");
    if (props.targets.ids.length === 0) problems.push("targets.ids is empty");
    if (new Set(props.listeners.map((l) => l.port)).size !== props.listeners.length) problems.push("two listeners share a port");
    const targetPorts = [...new Set(props.listeners.map((l) => l.targetPort ?? l.port))];
    const lbName = props.loadBalancerName ?? elbName(props.name);
    const groupName = (port: number) => props.targetGroupNames?.[port] ?? elbName(props.name, `-${port}`);
    problems.push(...elbNameProblems(lbName, "load balancer"), ...targetPorts.flatMap((port) => elbNameProblems(groupName(port), "target group")));
    for (const port of Object.keys(props.targetGroupNames ?? {})) if (!targetPorts.includes(Number(port))) problems.push(`targetGroupNames names port ${port}, which no listener targets`);
    if (props.withoutSecurityGroup && props.existingSecurityGroupId) problems.push("existingSecurityGroupId and withoutSecurityGroup exclude each other");
    throwIfProblems(this, problems);

    const egressPeers: Pick<SecurityGroupRule, "cidrs" | "securityGroupId" | "securityGroupLabel"> = props.targets.securityGroupId
      ? { securityGroupId: props.targets.securityGroupId, securityGroupLabel: "targets" }
      : { cidrs: props.targets.type === "ip" ? props.targets.ids.map((ip) => `${ip}/32`) : [props.vpcCidr] };
    this.securityGroup = props.withoutSecurityGroup ? undefined : new IngressSecurityGroup(this, "sg", {
      provider: props.provider,
      vpcId: props.vpcId,
      name: `${props.name}-nlb`,
      description: `NLB of PrivateLink service ${props.name}: listener ports from its consumers, target ports to its targets`,
      ingress: props.listeners.map((l) => ({ protocol: "tcp" as const, port: l.port, cidrs: props.clientCidrs, description: `${props.name} clients` })),
      egress: targetPorts.map((port) => ({ protocol: "tcp" as const, port, ...egressPeers, description: `to ${props.name} targets (traffic and health checks)` })),
      existingGroupId: props.existingSecurityGroupId,
    });

    this.loadBalancer = named(
      new Lb(this, "nlb", {
        provider: props.provider,
        name: lbName,
        internal: true,
        loadBalancerType: "network",
        subnets: [...props.subnetIds],
        ...(this.securityGroup ? { securityGroups: [this.securityGroup.securityGroupId], enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "on" } : {}),
        enableCrossZoneLoadBalancing: true,
        tags: { Name: props.name },
      }),
      props.name,
    );

    this.loadBalancerArn = this.loadBalancer.arn;

    const targetGroups = new Map<number, LbTargetGroup>();
    for (const port of targetPorts) {
      const group = named(
        new LbTargetGroup(this, `tg-${port}`, {
          provider: props.provider,
          name: groupName(port),
          port,
          protocol: "TCP",
          vpcId: props.vpcId,
          targetType: props.targets.type,
          healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port", interval: 10, healthyThreshold: 3, unhealthyThreshold: 3 },
          tags: { Name: `${props.name}-${port}` },
        }),
        props.name,
        port,
      );
      targetGroups.set(port, group);
      for (const target of props.targets.ids) {
        named(
          new LbTargetGroupAttachment(this, `target-${port}-${target}`, {
            provider: props.provider,
            targetGroupArn: group.arn,
            targetId: target,
            port,
          }),
          props.name,
          port,
          target,
        );
      }
      if (props.targets.securityGroupId) {
        named(
          new VpcSecurityGroupIngressRule(this, `targets-from-nlb-${port}`, {
            provider: props.provider,
            securityGroupId: props.targets.securityGroupId,
            // Without a group of its own, the load balancer's traffic comes from its addresses in the VPC.
            ...(this.securityGroup ? { referencedSecurityGroupId: this.securityGroup.securityGroupId } : { cidrIpv4: props.vpcCidr }),
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `${props.name}: traffic and health checks from the NLB`,
          }),
          tfName(props.name, "targets-from-nlb", port),
        );
      }
    }
    this.targetGroups = targetGroups;

    this.listeners = props.listeners.map((l) =>
      named(
        new LbListener(this, `listener-${l.port}`, {
          provider: props.provider,
          loadBalancerArn: this.loadBalancer.arn,
          port: l.port,
          protocol: "TCP",
          defaultAction: [{ type: "forward", targetGroupArn: targetGroups.get(l.targetPort ?? l.port)!.arn }],
        }),
        props.name,
        l.port,
      ),
    );
  }
}
