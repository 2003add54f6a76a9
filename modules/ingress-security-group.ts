import { Construct } from "constructs";
import { TerraformProvider } from "../framework/core";
import { SecurityGroup, VpcSecurityGroupIngressRule, VpcSecurityGroupEgressRule } from "../framework/aws";
import { parseCidr } from "../aws/cidr";
import { throwIfProblems } from "./errors";
import { named, tfName } from "./naming";

/** One allowed flow: a port (range) and protocol from CIDR blocks or from another security group. */
export interface SecurityGroupRule {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  /**
   * Last port of a range.
   * @default - `port` (a single port)
   */
  readonly toPort?: number;
  /**
   * Source (ingress) or destination (egress) CIDR blocks. Validated: never wider than a /8 for ingress.
   * @default - none (give `securityGroupId` instead)
   */
  readonly cidrs?: readonly string[];
  /**
   * Source (ingress) or destination (egress) security group.
   * @default - none (give `cidrs` instead)
   */
  readonly securityGroupId?: string;
  /**
   * Short label of that security group for the rule's address.
   * @default "sg"
   */
  readonly securityGroupLabel?: string;
  /** Shown in the console next to the rule. */
  readonly description: string;
}

export interface IngressSecurityGroupProps {
  /** Provider of the VPC's account and region. */
  readonly provider: TerraformProvider;
  /** VPC of the group. */
  readonly vpcId: string;
  /**
   * Base of the group's name: AWS names it `<name>-<unique suffix>` (`name_prefix`), so a replacement
   * (a changed description, say) can create the new group before deleting the old one, which a fixed
   * name cannot (`InvalidGroup.Duplicate`). The `Name` tag is `name` itself. Validated: at most 100
   * characters.
   */
  readonly name: string;
  /** Description shown in the console. */
  readonly description: string;
  /** Inbound flows. Validated: ports within 1-65535, a peer for every rule, no world-open source. */
  readonly ingress: readonly SecurityGroupRule[];
  /**
   * Outbound flows.
   * @default - none (Terraform removes AWS's default allow-all egress rule)
   */
  readonly egress?: readonly SecurityGroupRule[];
  /**
   * An existing group (an adopted estate) that gets the rules instead of a new group: its other rules and its
   * name, description and egress are left as they are.
   * @default - a new group is created
   */
  readonly existingGroupId?: string;
}

/**
 * A security group that allows exactly the listed flows: one `aws_vpc_security_group_*_rule` per
 * (flow, peer), addressed by port and peer, so adding a client CIDR adds one rule and touches no other.
 * `create_before_destroy` with a name prefix: a replaced group is created before the old one goes.
 * Rejects world-open sources: this module never opens a port to 0.0.0.0/0.
 */
export class IngressSecurityGroup extends Construct {
  /** The group created; undefined when `existingGroupId` is given. */
  readonly securityGroup?: SecurityGroup;
  /** Token of the group id (or the existing group's id). */
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: IngressSecurityGroupProps) {
    super(scope, id);
    const problems = [...checkRules(props.ingress, "ingress"), ...checkRules(props.egress ?? [], "egress")];
    if (`${props.name}-`.length > 100) problems.push(`name ${props.name} is longer than the 99 characters a security group name prefix may have`);
    throwIfProblems(this, problems);

    if (props.existingGroupId !== undefined && !/^sg-[0-9a-f]{8,17}$/.test(props.existingGroupId)) {
      throwIfProblems(this, [`existingGroupId ${JSON.stringify(props.existingGroupId)} is not a security group id (sg- and 8 or 17 hexadecimal digits)`]);
    }
    this.securityGroup =
      props.existingGroupId === undefined
        ? named(
            new SecurityGroup(this, "group", {
              provider: props.provider,
              vpcId: props.vpcId,
              namePrefix: `${props.name}-`,
              description: props.description,
              tags: { Name: props.name },
              lifecycle: { createBeforeDestroy: true },
            }),
            props.name,
          )
        : undefined;
    this.securityGroupId = this.securityGroup?.id ?? props.existingGroupId!;

    const directions = [
      { prefix: "in", rules: props.ingress, Rule: VpcSecurityGroupIngressRule },
      { prefix: "out", rules: props.egress ?? [], Rule: VpcSecurityGroupEgressRule },
    ];
    for (const { prefix, rules, Rule } of directions) {
      for (const rule of rules) {
        for (const peer of peersOf(rule)) {
          const id = ruleId(prefix, rule, peer.key);
          named(
            new Rule(this, id, {
              provider: props.provider,
              securityGroupId: this.securityGroupId,
              ipProtocol: rule.protocol,
              fromPort: rule.port,
              toPort: rule.toPort ?? rule.port,
              cidrIpv4: peer.cidr,
              referencedSecurityGroupId: peer.securityGroupId,
              description: rule.description,
            }),
            props.name,
            id,
          );
        }
      }
    }
  }
}

function peersOf(rule: SecurityGroupRule): Array<{ key: string; cidr?: string; securityGroupId?: string }> {
  const peers: Array<{ key: string; cidr?: string; securityGroupId?: string }> = (rule.cidrs ?? []).map((cidr) => ({
    key: cidr,
    cidr,
  }));
  if (rule.securityGroupId !== undefined) {
    peers.push({ key: rule.securityGroupLabel ?? "sg", securityGroupId: rule.securityGroupId });
  }
  return peers;
}

function ruleId(direction: string, rule: SecurityGroupRule, peer: string): string {
  const ports = rule.toPort !== undefined && rule.toPort !== rule.port ? `${rule.port}-${rule.toPort}` : `${rule.port}`;
  return tfName(direction, rule.protocol, ports, peer);
}

function checkRules(rules: readonly SecurityGroupRule[], direction: string): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const last = rule.toPort ?? rule.port;
    if (!Number.isInteger(rule.port) || rule.port < 1 || last > 65535 || last < rule.port) {
      problems.push(`${direction} port range ${rule.port}-${last} is not within 1-65535`);
    }
    if ((rule.cidrs ?? []).length === 0 && rule.securityGroupId === undefined) {
      problems.push(`${direction} rule "${rule.description}" has no peer (cidrs or securityGroupId)`);
    }
    for (const cidr of rule.cidrs ?? []) {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) problems.push(`${direction} CIDR ${cidr} ${parsed.reason}`);
      else if (direction === "ingress" && parsed.cidr.prefix < 8) {
        problems.push(`ingress from ${cidr} would open port ${rule.port} to (almost) the whole internet`);
      }
    }
  }
  return problems;
}
