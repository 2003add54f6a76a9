/** Cross-field rules of the `privateLink` section (provider NLB services, AWS services, consumers). */
import { cidrOrUndefined, containsAddress, parseIpv4 } from "../aws/cidr";
import { partitionOf } from "../aws/partitions";
import { CROSS_REGION_AWS_SERVICES, GLOBAL_SERVICES, invalidDnsName, isKnownService, parseConsumedAwsService } from "../aws/service-catalog";
import { elbName } from "../aws/names";
import { INSTANCE_ID, PRINCIPAL_ARN } from "../aws/patterns";
import { KNOWN_REGIONS } from "../aws/regions";
import { azsOf, checkClientCidr, checkReference, checkSubnetRefs, entriesOf, listOf, ProblemList, RawVpc, str, unknownServiceProblem } from "./rules";

type Raw = Record<string, unknown>;
type Path = Array<string | number>;

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => cidrOrUndefined(c)!);

export function checkPrivateLink(doc: Raw, out: ProblemList, vpcs: Map<string, RawVpc>): void {
  const stackNames = new Map<string, string>();
  /** Load balancer and target group names per account and region (AWS wants them unique there). */
  const elbNames = new Map<string, string>();
  for (const [name, svc] of entriesOf(doc.privateLink)) {
    const base: Path = ["privateLink", name];
    const provider = typeof svc.provider === "object" && svc.provider !== null ? (svc.provider as Raw) : undefined;
    const aws = typeof svc.awsService === "object" && svc.awsService !== null ? (svc.awsService as Raw) : undefined;
    if (provider && aws) {
      out.add(base, "declares both provider: and awsService:", "a service is either your own NLB service (provider:) or an AWS service (awsService:); split it in two");
      continue;
    }
    if (!provider && !aws) {
      out.add(base, "needs provider: (your NLB-backed service) or awsService: (an AWS service such as s3)", "add one of them");
      continue;
    }
    const providerVpc = provider && checkReference(out, [...base, "provider", "vpc"], provider.vpc, vpcs, "VPC", "vpcs") ? vpcs.get(provider.vpc as string) : undefined;
    const serviceRegion = providerVpc?.region ?? str(aws?.region);
    const servicePartition = serviceRegion && KNOWN_REGIONS.has(serviceRegion) ? partitionOf(serviceRegion) : undefined;

    // Consumers: references, partitions, duplicates, client CIDRs.
    const consumers: Array<{ name: string; vpc: RawVpc; path: Path; spec: Raw }> = [];
    for (const [consumerName, consumer] of entriesOf(svc.consumers)) {
      const path: Path = [...base, "consumers", consumerName];
      const stack = `consumer-${name}-${consumerName}`;
      const clash = stackNames.get(stack);
      if (clash) out.add(path, `its stack name ${stack} is also the stack of ${clash}`, "rename the consumer or the service");
      stackNames.set(stack, `privateLink.${name}.consumers.${consumerName}`);
      const vpc = checkReference(out, [...path, "vpc"], consumer.vpc, vpcs, "VPC", "vpcs") ? vpcs.get(consumer.vpc as string) : undefined;
      if (!vpc) continue;
      const twin = consumers.find((c) => c.vpc.name === vpc.name);
      if (twin) out.add([...path, "vpc"], `VPC "${vpc.name}" already consumes this service as "${twin.name}"`, "one endpoint per VPC and service is enough; remove the duplicate");
      if (consumer.subnets !== undefined) checkSubnetRefs(out, [...path, "subnets"], consumer.subnets, vpc);
      listOf(consumer.allowedCidrs).forEach((value, i) => checkClientCidr(out, [...path, "allowedCidrs", i], value));
      if (servicePartition && vpc.region && KNOWN_REGIONS.has(vpc.region) && partitionOf(vpc.region) !== servicePartition) {
        out.add([...path, "vpc"], `is in partition ${partitionOf(vpc.region)}, the service in ${servicePartition}: PrivateLink never crosses partitions`, "consume the service from a VPC of the same partition");
      }
      consumers.push({ name: consumerName, vpc, path, spec: consumer });
    }
    const crossRegion = consumers.filter((c) => serviceRegion && c.vpc.region && c.vpc.region !== serviceRegion);

    if (provider) {
      const pBase: Path = [...base, "provider"];
      if (providerVpc) {
        if (provider.subnets !== undefined) checkSubnetRefs(out, [...pBase, "subnets"], provider.subnets, providerVpc);
        const azs = azsOf(provider.subnets, providerVpc);
        if (azs.size > 0 && azs.size < 2) {
          if (crossRegion.length > 0) {
            out.add(
              [...pBase, "subnets"],
              `the NLB spans one availability zone (${[...azs].join(", ")}), and consumer "${crossRegion[0].name}" is in ${crossRegion[0].vpc.region}: AWS rejects cross-region endpoint services with fewer than two AZs`,
              "give the NLB subnets in at least two availability zones",
            );
          } else if (provider.allowSingleAz !== true) {
            out.add(
              [...pBase, "subnets"],
              `the NLB spans one availability zone (${[...azs].join(", ")}): every consumer loses the service when it fails`,
              "give the NLB subnets in at least two availability zones, or set allowSingleAz: true for a non-critical service",
            );
          }
        }
        const targets = typeof provider.targets === "object" && provider.targets !== null ? (provider.targets as Raw) : {};
        listOf(targets.ids).forEach((id, i) => {
          const text = str(id);
          if (!text) return;
          if (targets.type === "instance" && !INSTANCE_ID.test(text)) {
            out.add([...pBase, "targets", "ids", i], `"${text}" is not an instance id`, "use i-<8 or 17 hex digits>, or set type: ip for IP targets");
          }
          if (targets.type === "ip") {
            const ip = parseIpv4(text);
            const vpcCidr = providerVpc.cidr;
            if (ip === undefined) out.add([...pBase, "targets", "ids", i], `"${text}" is not an IPv4 address`, "use an address such as 10.50.1.10");
            else if (!(vpcCidr && containsAddress(vpcCidr, ip)) && !PRIVATE_RANGES.some((r) => containsAddress(r, ip))) {
              out.add([...pBase, "targets", "ids", i], `${text} is neither in the VPC (${providerVpc.cidr?.text}) nor in a private range: an NLB cannot target it`, "use an address of the VPC or of a private network routed to it");
            }
          }
        });
      }
      if (providerVpc?.account && providerVpc.region) {
        const targetPorts = [...new Set(listOf(provider.listeners).map((l) => (typeof l === "object" && l !== null ? ((l as Raw).targetPort ?? (l as Raw).port) : undefined)).filter((p): p is number => typeof p === "number"))];
        const existing = typeof provider.loadBalancer === "object" && provider.loadBalancer !== null ? (provider.loadBalancer as Raw) : {};
        const groupNames = typeof existing.targetGroups === "object" && existing.targetGroups !== null ? (existing.targetGroups as Raw) : {};
        for (const port of Object.keys(groupNames)) {
          if (!targetPorts.includes(Number(port))) {
            out.add([...pBase, "loadBalancer", "targetGroups", port], `names a target group for port ${port}, which no listener targets (${targetPorts.join(", ") || "none"})`, "remove it, or add the listener");
          }
        }
        const lbName = str(existing.name) ?? elbName(name);
        if (/^internal-/i.test(lbName)) out.add([...pBase, "loadBalancer", "name"], `${lbName} starts with internal-, which AWS refuses`, "choose another name");
        const names: Array<[string, string]> = [["load balancer", lbName], ...targetPorts.map((port): [string, string] => ["target group", str(groupNames[String(port)]) ?? elbName(name, `-${port}`)])];
        for (const [kind, elb] of names) {
          const key = `${providerVpc.account}|${providerVpc.region}|${kind}|${elb}`;
          const other = elbNames.get(key);
          if (other && other !== name) {
            out.add(base, `its ${kind} would be named ${elb}, like the one of service "${other}" in the same account and region: AWS requires unique names there`, "rename one of the two services");
          }
          elbNames.set(key, name);
        }
      }
      const ports = new Map<number, number>();
      listOf(provider.listeners).forEach((listener, i) => {
        const port = typeof listener === "object" && listener !== null ? (listener as Raw).port : undefined;
        if (typeof port !== "number") return;
        const previous = ports.get(port);
        if (previous !== undefined) out.add([...pBase, "listeners", i, "port"], `port ${port} is already a listener (listeners[${previous}])`, "one listener per port");
        ports.set(port, i);
      });
      // Principals: never everyone by accident; every consumer account admitted when listed by hand.
      const principals = listOf(provider.allowedPrincipals).map(str).filter((p): p is string => !!p);
      principals.forEach((principal, i) => {
        const path: Path = [...pBase, "allowedPrincipals", i];
        if (principal === "*") {
          if (provider.allowAnyPrincipal !== true) {
            out.add(path, '"*" admits every AWS account in the world to request a connection', "list the consumers' principals (arn:aws:iam::<account>:root), or set allowAnyPrincipal: true if the service is public by design");
          }
          return;
        }
        const match = PRINCIPAL_ARN.exec(principal);
        if (!match) out.add(path, `"${principal}" is not an IAM principal ARN`, "use arn:aws:iam::<account>:root, or a role/user ARN");
        else if (servicePartition && match[1] !== servicePartition) out.add(path, `is in partition ${match[1]}, the service in ${servicePartition}`, `use an ARN of partition ${servicePartition}`);
      });
      if (provider.allowedPrincipals !== undefined && !principals.includes("*")) {
        for (const consumer of consumers) {
          const account = str(((doc.accounts as Raw | undefined)?.[consumer.vpc.account ?? ""] as Raw | undefined)?.id);
          if (account && !principals.some((p) => PRINCIPAL_ARN.exec(p)?.[2] === account)) {
            out.add(
              [...pBase, "allowedPrincipals"],
              `does not admit consumer "${consumer.name}" (account ${account}): its endpoint would be rejected`,
              `add arn:${servicePartition ?? "aws"}:iam::${account}:root (or a role of that account)`,
            );
          }
        }
      }
      if (provider.supportedRegions !== undefined) {
        const supported = new Set(listOf(provider.supportedRegions).map(str));
        for (const consumer of crossRegion) {
          if (!supported.has(consumer.vpc.region)) {
            out.add(
              [...consumer.path, "vpc"],
              `is in ${consumer.vpc.region}, which the service's supportedRegions (${[...supported].join(", ")}) do not include`,
              `add ${consumer.vpc.region} to provider.supportedRegions, or drop supportedRegions to derive them from the consumers`,
            );
          }
        }
      }
      const dnsName = str(provider.privateDnsName);
      if (dnsName) {
        const reason = invalidDnsName(dnsName);
        if (reason) out.add([...pBase, "privateDnsName"], `"${dnsName}" ${reason}`, "use a domain you own, e.g. orders.example.com");
      }
      for (const consumer of consumers) {
        if (consumer.spec.acceptance === "manual" && provider.acceptanceRequired === false) {
          out.add([...consumer.path, "acceptance"], "manual acceptance has no effect: the service does not require acceptance", "remove acceptance: manual, or set provider.acceptanceRequired: true");
        }
        if (consumer.spec.privateDns === true && !dnsName) {
          out.add([...consumer.path, "privateDns"], "the service has no private DNS name to enable", "set provider.privateDnsName, or remove privateDns");
        }
        if (consumer.spec.privateDns === true && dnsName && consumer.spec.acceptance === "manual" && provider.acceptanceRequired !== false) {
          out.add(
            [...consumer.path, "privateDns"],
            "private DNS can be enabled only once the owner has accepted the connection, and with acceptance: manual that happens outside this deployment",
            "use acceptance: auto (the consumer stack accepts, then enables private DNS), or keep manual and enable private DNS after the owner accepted (aws ec2 modify-vpc-endpoint --vpc-endpoint-id <id> --private-dns-enabled)",
          );
        }
      }
    }

    if (aws && serviceRegion) {
      const aBase: Path = [...base, "awsService"];
      const nameText = str(aws.name);
      const parsed = nameText ? parseConsumedAwsService(nameText, serviceRegion) : undefined;
      if (nameText && parsed && !parsed.ok) out.add([...aBase, "name"], `"${nameText}" ${parsed.reason}`, parsed.fix);
      let short = parsed?.ok ? parsed.short : undefined;
      if (short && GLOBAL_SERVICES[short] === undefined && !isKnownService(short) && aws.unlisted !== true) {
        unknownServiceProblem(out, [...aBase, "name"], short, false);
        short = undefined; // an unknown name says nothing about cross-region support: no cascade
      }
      if (aws.type === "gateway") {
        out.add(
          [...aBase, "type"],
          crossRegion.length > 0
            ? "gateway endpoints never work across regions (nor across VPCs): only interface endpoints reach a service in another region"
            : "consumer stacks create interface endpoints; a gateway endpoint is a route-table entry of the consumer's own VPC",
          "remove type: gateway to use an interface endpoint",
        );
      }
      if (short) {
        for (const consumer of crossRegion) {
          if (!CROSS_REGION_AWS_SERVICES.has(short)) {
            out.add(
              [...consumer.path, "vpc"],
              `is in ${consumer.vpc.region}, but AWS enabled cross-region PrivateLink only for ${[...CROSS_REGION_AWS_SERVICES].join(", ")}; ${short} works only from ${serviceRegion}`,
              `consume ${short} through an endpoint in ${consumer.vpc.region} instead (a hub there)`,
            );
          }
        }
      }
      for (const consumer of consumers) {
        if (consumer.spec.acceptance !== undefined) out.add([...consumer.path, "acceptance"], "AWS services accept connections themselves", "remove acceptance");
        if (consumer.spec.privateDns === true) out.add([...consumer.path, "privateDns"], "is only for services with a provider.privateDnsName", "remove privateDns; use a hub for AWS service names");
      }
    }
  }
}
