import { exampleDoc, resources, synth, Synthesized } from "../helpers";

const SERVICE_NAME = '${try(tostring(local.upstream_service-orders-api["service_name"]), "(pending: not in service-orders-api\'s state yet: service_name)")}';
const SERVICE_ID = '${try(tostring(local.upstream_service-orders-api["service_id"]), "(pending: not in service-orders-api\'s state yet: service_id)")}';

describe("provider stack", () => {
  let out: Synthesized;
  let svc: any;
  beforeAll(() => {
    out = synth();
    svc = out.json["service-orders-api"];
  });

  it("runs in the owner's account and region", () => {
    expect(svc.provider.aws.map((p: any) => [p.alias, p.region, p.allowed_account_ids])).toEqual([
      ["service_owner_ap_northeast_1", "ap-northeast-1", ["444455556666"]],
    ]);
  });

  it("creates an internal multi-AZ NLB that enforces its security group on PrivateLink traffic", () => {
    expect(resources(svc, "aws_lb")["orders-api"]).toMatchObject({
      name: "orders-api",
      internal: true,
      load_balancer_type: "network",
      subnets: ["subnet-0a1b2c3d4e5f60041", "subnet-0a1b2c3d4e5f60042"],
      security_groups: ["${aws_security_group.orders-api-nlb.id}"],
      enforce_security_group_inbound_rules_on_private_link_traffic: "on",
      enable_cross_zone_load_balancing: true,
    });
  });

  it("opens each listener port only to the consumers' client CIDRs, and egress only to the targets", () => {
    const ingress = Object.values<any>(resources(svc, "aws_vpc_security_group_ingress_rule"));
    const nlbIngress = ingress.filter((r) => r.security_group_id === "${aws_security_group.orders-api-nlb.id}");
    expect(nlbIngress.map((r) => [r.ip_protocol, r.from_port, r.cidr_ipv4]).sort()).toEqual([
      ["tcp", 80, "10.50.0.0/16"],
      ["tcp", 80, "10.60.0.0/16"],
    ]);
    expect(Object.values<any>(resources(svc, "aws_vpc_security_group_egress_rule"))).toEqual([
      expect.objectContaining({ security_group_id: "${aws_security_group.orders-api-nlb.id}", from_port: 80, to_port: 80, referenced_security_group_id: "sg-0a1b2c3d4e5f60401" }),
    ]);
    expect(JSON.stringify(svc)).not.toContain("0.0.0.0/0");
  });

  it("lets the targets' security group accept the NLB on the target port (seed 003's forgotten rule)", () => {
    expect(resources(svc, "aws_vpc_security_group_ingress_rule")["orders-api_targets-from-nlb_80"]).toMatchObject({
      security_group_id: "sg-0a1b2c3d4e5f60401",
      referenced_security_group_id: "${aws_security_group.orders-api-nlb.id}",
      ip_protocol: "tcp",
      from_port: 80,
      to_port: 80,
    });
  });

  it("forwards a TCP listener to an instance target group with a TCP health check and both targets attached", () => {
    expect(resources(svc, "aws_lb_target_group")["orders-api_80"]).toMatchObject({
      name: "orders-api-80",
      port: 80,
      protocol: "TCP",
      target_type: "instance",
      vpc_id: "vpc-0a1b2c3d4e5f60004",
      health_check: { enabled: true, protocol: "TCP", port: "traffic-port" },
    });
    expect(Object.values<any>(resources(svc, "aws_lb_target_group_attachment")).map((a) => [a.target_id, a.port])).toEqual([
      ["i-0a1b2c3d4e5f60401", 80],
      ["i-0a1b2c3d4e5f60402", 80],
    ]);
    expect(resources(svc, "aws_lb_listener")["orders-api_80"]).toMatchObject({
      load_balancer_arn: "${aws_lb.orders-api.arn}",
      port: 80,
      protocol: "TCP",
      default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.orders-api_80.arn}" }],
    });
  });

  it("requires acceptance, supports the consumers' regions, and admits exactly the consumer accounts", () => {
    expect(resources(svc, "aws_vpc_endpoint_service")["orders-api"]).toMatchObject({
      acceptance_required: true,
      network_load_balancer_arns: ["${aws_lb.orders-api.arn}"],
      supported_regions: ["ap-northeast-1", "us-east-1"],
    });
    expect(resources(svc, "aws_vpc_endpoint_service")["orders-api"].allowed_principals).toEqual([
      "arn:aws:iam::222233334444:root",
      "arn:aws:iam::333344445555:root",
    ]);
    expect(resources(svc, "aws_vpc_endpoint_service_allowed_principal")).toEqual({});
    expect(Object.keys(svc.output)).toEqual(expect.arrayContaining(["service_name", "service_id", "supported_regions", "allowed_principals"]));
  });

  it("uses IP target groups and egress to the target IPs for ip targets", () => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].provider.targets = { type: "ip", ids: ["10.50.1.10", "10.50.2.10"] };
    doc.privateLink["orders-api"].provider.listeners = [{ port: 443, targetPort: 8443 }];
    const ip = synth(doc, { hcl: false }).json["service-orders-api"];
    expect(resources(ip, "aws_lb_target_group")["orders-api_8443"]).toMatchObject({ target_type: "ip", port: 8443 });
    expect(resources(ip, "aws_lb_listener")["orders-api_443"]).toMatchObject({ port: 443 });
    expect(Object.values<any>(resources(ip, "aws_vpc_security_group_egress_rule")).map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([
      [8443, "10.50.1.10/32"],
      [8443, "10.50.2.10/32"],
    ]);
  });

  it("outputs the domain-verification record for a private DNS name", () => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].provider.privateDnsName = "orders.example.com";
    const dns = synth(doc, { hcl: false }).json["service-orders-api"];
    expect(resources(dns, "aws_vpc_endpoint_service")["orders-api"].private_dns_name).toBe("orders.example.com");
    expect(dns.output.private_dns_verification.value).toEqual({
      name: "${aws_vpc_endpoint_service.orders-api.private_dns_name_configuration[0].name}",
      type: "${aws_vpc_endpoint_service.orders-api.private_dns_name_configuration[0].type}",
      value: "${aws_vpc_endpoint_service.orders-api.private_dns_name_configuration[0].value}",
    });
  });
});

describe("an adopted service and consumer (provider.loadBalancer, consumer securityGroupId)", () => {
  const adopted = (loadBalancer: Record<string, unknown>) => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].provider.loadBalancer = loadBalancer;
    doc.privateLink["orders-api"].consumers.tokyo.securityGroupId = "sg-0a1b2c3d4e5f60777";
    return synth(doc, { hcl: false }).json;
  };

  it("keeps the names and the security group the load balancer was built with", () => {
    const json = adopted({ name: "orders-nlb-by-hand", securityGroupId: "sg-0a1b2c3d4e5f60555", targetGroups: { "80": "orders-tg" } });
    const svc = json["service-orders-api"];
    expect(resources(svc, "aws_lb")["orders-api"]).toMatchObject({ name: "orders-nlb-by-hand", security_groups: ["sg-0a1b2c3d4e5f60555"], enforce_security_group_inbound_rules_on_private_link_traffic: "on" });
    expect(resources(svc, "aws_lb_target_group")["orders-api_80"].name).toBe("orders-tg");
    expect(resources(svc, "aws_security_group")).toEqual({});
    const ingress = Object.values<any>(resources(svc, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.filter((r) => r.security_group_id === "sg-0a1b2c3d4e5f60555").map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([
      [80, "10.50.0.0/16"],
      [80, "10.60.0.0/16"],
    ]);
    expect(resources(svc, "aws_vpc_security_group_ingress_rule")["orders-api_targets-from-nlb_80"].referenced_security_group_id).toBe("sg-0a1b2c3d4e5f60555");
    const consumer = json["consumer-orders-api-tokyo"];
    expect(resources(consumer, "aws_vpc_endpoint")["orders-api-tokyo"].security_group_ids).toEqual(["sg-0a1b2c3d4e5f60777"]);
    expect(resources(consumer, "aws_security_group")).toEqual({});
    expect(Object.values<any>(resources(consumer, "aws_vpc_security_group_ingress_rule")).map((r) => [r.security_group_id, r.from_port, r.cidr_ipv4])).toEqual([["sg-0a1b2c3d4e5f60777", 80, "10.50.0.0/16"]]);
  });

  it("securityGroupId none: a load balancer built without a group keeps none, and its targets admit it from the VPC", () => {
    const svc = adopted({ securityGroupId: "none" })["service-orders-api"];
    const lb = resources(svc, "aws_lb")["orders-api"];
    expect([lb.security_groups, lb.enforce_security_group_inbound_rules_on_private_link_traffic, lb.name]).toEqual([undefined, undefined, "orders-api"]);
    expect(resources(svc, "aws_security_group")).toEqual({});
    expect(resources(svc, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(resources(svc, "aws_vpc_security_group_ingress_rule")["orders-api_targets-from-nlb_80"]).toMatchObject({ security_group_id: "sg-0a1b2c3d4e5f60401", cidr_ipv4: "10.50.0.0/16" });
  });
});

describe("consumer stacks", () => {
  let out: Synthesized;
  beforeAll(() => {
    out = synth();
  });

  it("same region: endpoint to the service name from the owner's state, no service_region, accepted as the owner", () => {
    const tokyo = out.json["consumer-orders-api-tokyo"];
    const endpoint = resources(tokyo, "aws_vpc_endpoint")["orders-api-tokyo"];
    expect(endpoint).toMatchObject({
      provider: "aws.workload_tokyo_ap_northeast_1",
      service_name: SERVICE_NAME,
      vpc_endpoint_type: "Interface",
      vpc_id: "vpc-0a1b2c3d4e5f60005",
      subnet_ids: ["subnet-0a1b2c3d4e5f60051", "subnet-0a1b2c3d4e5f60052"],
      private_dns_enabled: false,
    });
    expect(endpoint).not.toHaveProperty("service_region");
    // Planned before the owner's stack exists; created only once it does.
    expect(endpoint.lifecycle.precondition).toEqual([
      {
        condition: '${can(tostring(local.upstream_service-orders-api["service_name"])) || timestamp() == "deferred until apply"}',
        error_message: "service-orders-api has no service_name in its state yet: apply service-orders-api first (privatelink deploy applies stacks in dependency order). No endpoint was created.",
      },
    ]);
    expect(tokyo.locals["upstream_service-orders-api"]).toBe('${try({ for name, output in jsondecode(file("../../../terraform.privatelink-example.service-orders-api.tfstate")).outputs : name => output.value }, {})}');
    expect(resources(tokyo, "aws_vpc_endpoint_connection_accepter")["orders-api-tokyo"]).toEqual(
      expect.objectContaining({
        provider: "aws.service_owner_ap_northeast_1",
        vpc_endpoint_service_id: SERVICE_ID,
        vpc_endpoint_id: "${aws_vpc_endpoint.orders-api-tokyo.id}",
      }),
    );
    expect(tokyo.provider.aws.map((p: any) => p.alias).sort()).toEqual(["service_owner_ap_northeast_1", "workload_tokyo_ap_northeast_1"]);
  });

  it("allows the service ports only from the consumer's CIDR (overlapping the provider's: fine)", () => {
    const tokyo = out.json["consumer-orders-api-tokyo"];
    expect(Object.values<any>(resources(tokyo, "aws_vpc_security_group_ingress_rule")).map((r) => [r.from_port, r.cidr_ipv4])).toEqual([[80, "10.50.0.0/16"]]);
  });

  it("cross-region: the endpoint names the service's region; the accepter runs in the owner's region", () => {
    const virginia = out.json["consumer-orders-api-virginia"];
    expect(resources(virginia, "aws_vpc_endpoint")["orders-api-virginia"]).toMatchObject({
      provider: "aws.workload_osaka_us_east_1",
      service_region: "ap-northeast-1",
      subnet_ids: ["subnet-0a1b2c3d4e5f60061", "subnet-0a1b2c3d4e5f60062"],
    });
    expect(resources(virginia, "aws_vpc_endpoint_connection_accepter")["orders-api-virginia"].provider).toBe("aws.service_owner_ap_northeast_1");
    expect(virginia.provider.aws.map((p: any) => [p.alias, p.region])).toEqual(
      expect.arrayContaining([["service_owner_ap_northeast_1", "ap-northeast-1"], ["workload_osaka_us_east_1", "us-east-1"]]),
    );
  });

  it("outputs the regional and zonal DNS names (what seed 002 curls)", () => {
    const tokyo = out.json["consumer-orders-api-tokyo"];
    expect(tokyo.output.regional_dns_name.value).toBe("${aws_vpc_endpoint.orders-api-tokyo.dns_entry[0].dns_name}");
    expect(tokyo.output.dns_names.value).toBe("${aws_vpc_endpoint.orders-api-tokyo.dns_entry[*].dns_name}");
  });

  it("manual acceptance: no accepter, and the exact command the owner runs", () => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].consumers.tokyo.acceptance = "manual";
    const tokyo = synth(doc, { hcl: false }).json["consumer-orders-api-tokyo"];
    expect(resources(tokyo, "aws_vpc_endpoint_connection_accepter")).toEqual({});
    expect(tokyo.output.accept_command.value).toBe(
      `aws ec2 accept-vpc-endpoint-connections --region ap-northeast-1 --service-id ${SERVICE_ID} --vpc-endpoint-ids \${aws_vpc_endpoint.orders-api-tokyo.id}`,
    );
    expect(tokyo.provider.aws.map((p: any) => p.alias)).toEqual(["workload_tokyo_ap_northeast_1"]);
  });

  it("never emits an accepter when the service does not require acceptance", () => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].provider.acceptanceRequired = false;
    const json = synth(doc, { hcl: false }).json;
    expect(resources(json["service-orders-api"], "aws_vpc_endpoint_service")["orders-api"].acceptance_required).toBe(false);
    for (const stack of ["consumer-orders-api-tokyo", "consumer-orders-api-virginia"]) {
      expect(resources(json[stack], "aws_vpc_endpoint_connection_accepter")).toEqual({});
      expect(json[stack].output).not.toHaveProperty("accept_command");
    }
  });

  it("enables private DNS only after acceptance", () => {
    const doc = exampleDoc();
    doc.privateLink["orders-api"].provider.privateDnsName = "orders.example.com";
    doc.privateLink["orders-api"].consumers.tokyo.privateDns = true;
    const tokyo = synth(doc, { hcl: false }).json["consumer-orders-api-tokyo"];
    expect(resources(tokyo, "aws_vpc_endpoint")["orders-api-tokyo"].private_dns_enabled).toBe(false);
    expect(resources(tokyo, "aws_vpc_endpoint_private_dns")["orders-api-tokyo"]).toEqual(
      expect.objectContaining({
        vpc_endpoint_id: "${aws_vpc_endpoint.orders-api-tokyo.id}",
        private_dns_enabled: true,
        depends_on: ["aws_vpc_endpoint_connection_accepter.orders-api-tokyo"],
      }),
    );
  });

  it("consumes an AWS service cross-region with service_region and port 443, no provider stack, no accepter", () => {
    const doc = exampleDoc();
    doc.privateLink.storage = { awsService: { name: "s3", region: "us-east-1" }, consumers: { tokyo: { vpc: "orders-client-tokyo" } } };
    const json = synth(doc, { hcl: false }).json;
    expect(json).not.toHaveProperty("service-storage");
    const tokyo = json["consumer-storage-tokyo"];
    expect(resources(tokyo, "aws_vpc_endpoint")["storage-tokyo"]).toMatchObject({ service_name: "com.amazonaws.us-east-1.s3", service_region: "us-east-1" });
    expect(Object.values<any>(resources(tokyo, "aws_vpc_security_group_ingress_rule")).map((r) => r.from_port)).toEqual([443]);
    expect(resources(tokyo, "aws_vpc_endpoint_connection_accepter")).toEqual({});
  });
});
