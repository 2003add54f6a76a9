import { runIdFromEnv } from "../../modules/run-id";
import { exampleDoc, resources, synth, Synthesized } from "../helpers";

describe("hub stack", () => {
  let out: Synthesized;
  let hub: any;
  beforeAll(() => {
    out = synth();
    hub = out.json["hub-tokyo"];
  });

  it("configures one aliased provider that assumes the hub account's deploy role", () => {
    expect(hub.provider.aws).toEqual([
      {
        alias: "network_hub_ap_northeast_1",
        region: "ap-northeast-1",
        allowed_account_ids: ["111122223333"],
        assume_role: [{ role_arn: "arn:aws:iam::111122223333:role/privatelink-deployer", session_name: "privatelink-${var.privatelink_run_id}" }],
        default_tags: [
          {
            tags: {
              "managed-by": "privatelink-cdktf",
              "privatelink-cdktf:topology": "privatelink-example",
              "privatelink-cdktf:stack": "hub-tokyo",
              project: "privatelink-example",
            },
          },
        ],
      },
    ]);
  });

  it("names the deploy role's sessions after the run (the CI job), a variable the commands set and plain terraform defaults", () => {
    expect(hub.variable.privatelink_run_id).toMatchObject({ type: "string", default: "local" });
    expect(hub.variable.privatelink_run_id.validation[0].condition).toBe('${can(regex("^[A-Za-z0-9+=,.@_-]{1,32}$", var.privatelink_run_id))}');
    expect(runIdFromEnv({ GITHUB_RUN_ID: "123", GITHUB_RUN_ATTEMPT: "2" })).toBe("gh-123-2");
    expect(runIdFromEnv({ CI_JOB_ID: "77" })).toBe("gl-77");
    expect(runIdFromEnv({ PRIVATELINK_RUN_ID: "release 1.2/${x}", GITHUB_RUN_ID: "1" })).toBe("release-1.2---x-");
    expect(runIdFromEnv({ BUILD_TAG: "jenkins-" + "x".repeat(60) })).toHaveLength(32);
    expect(runIdFromEnv({})).toBe("local");
  });

  it("admits AWS provider 5.100+ and the 6.x line of the bindings", () => {
    expect(hub.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: ">= 5.100.0, < 7.0.0" });
  });

  it("keeps local state outside the output, at a relative path that works from any stack directory", () => {
    expect(hub.terraform.backend).toEqual({ local: { path: "../../../terraform.privatelink-example.hub-tokyo.tfstate" } });
    const text = JSON.stringify(out.json);
    expect(text).not.toContain(out.outdir);
    expect(text).not.toMatch(/secret_key|access_key|aws_secret|session_token/i);
  });

  it("creates one interface endpoint per service, private DNS off, in the hub subnets", () => {
    const endpoints = resources(hub, "aws_vpc_endpoint");
    expect(Object.keys(endpoints).sort()).toEqual(["ec2messages", "s3", "ssm", "ssmmessages"]);
    for (const [short, endpoint] of Object.entries<any>(endpoints)) {
      expect(endpoint).toMatchObject({
        provider: "aws.network_hub_ap_northeast_1",
        service_name: `com.amazonaws.ap-northeast-1.${short}`,
        vpc_endpoint_type: "Interface",
        private_dns_enabled: false,
        vpc_id: "vpc-0a1b2c3d4e5f60001",
        subnet_ids: ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"],
        security_group_ids: ["${aws_security_group.tokyo-hub-endpoints.id}"],
      });
    }
  });

  it("allows 443 only from the hub VPC, its spokes and on-prem, with no egress", () => {
    const rules = Object.values<any>(resources(hub, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.security_group_id === "${aws_security_group.tokyo-hub-endpoints.id}",
    );
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual([
      ["tcp", 443, 443, "10.0.0.0/16"],
      ["tcp", 443, 443, "10.1.0.0/16"],
      ["tcp", 443, 443, "10.2.0.0/16"],
      ["tcp", 443, 443, "192.168.0.0/16"],
    ]);
    expect(resources(hub, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(resources(hub, "aws_security_group")["tokyo-hub-endpoints"]).toMatchObject({ vpc_id: "vpc-0a1b2c3d4e5f60001", name_prefix: "tokyo-hub-endpoints-", tags: { Name: "tokyo-hub-endpoints" } });
    expect(JSON.stringify(hub)).not.toContain("0.0.0.0/0");
  });

  it("creates one private zone per DNS apex, with the hub VPC and ignore_changes = [vpc]", () => {
    const zones = resources(hub, "aws_route53_zone");
    expect(Object.values<any>(zones).map((z) => z.name).sort()).toEqual([
      "ec2messages.ap-northeast-1.amazonaws.com",
      "s3-accesspoint.ap-northeast-1.amazonaws.com",
      "s3-control.ap-northeast-1.amazonaws.com",
      "s3.ap-northeast-1.amazonaws.com",
      "ssm.ap-northeast-1.amazonaws.com",
      "ssmmessages.ap-northeast-1.amazonaws.com",
    ]);
    for (const zone of Object.values<any>(zones)) {
      expect(zone.vpc).toEqual([{ vpc_id: "vpc-0a1b2c3d4e5f60001", vpc_region: "ap-northeast-1" }]);
      expect(zone.lifecycle).toEqual({ ignore_changes: ["vpc"] });
      expect(zone.provider).toBe("aws.network_hub_ap_northeast_1");
    }
  });

  it("points apex and wildcard alias records at the endpoint's regional DNS entry", () => {
    const records = resources(hub, "aws_route53_record");
    expect(records["s3_ap-northeast-1_amazonaws_com"]).toEqual(
      expect.objectContaining({
        name: "s3.ap-northeast-1.amazonaws.com",
        type: "A",
        zone_id: "${aws_route53_zone.s3_ap-northeast-1_amazonaws_com.zone_id}",
        alias: {
          name: "${aws_vpc_endpoint.s3.dns_entry[0].dns_name}",
          zone_id: "${aws_vpc_endpoint.s3.dns_entry[0].hosted_zone_id}",
          evaluate_target_health: false,
        },
      }),
    );
    expect(records["wildcard_s3_ap-northeast-1_amazonaws_com"]).toMatchObject({
      name: "*.s3.ap-northeast-1.amazonaws.com",
      zone_id: "${aws_route53_zone.s3_ap-northeast-1_amazonaws_com.zone_id}",
    });
    expect(records["ssm_ap-northeast-1_amazonaws_com"].alias.name).toBe("${aws_vpc_endpoint.ssm.dns_entry[0].dns_name}");
    expect(Object.keys(records)).toHaveLength(9);
  });

  it("outputs every zone id, endpoint id and endpoint DNS name", () => {
    expect(hub.output.zone_ids.value["ssm.ap-northeast-1.amazonaws.com"]).toBe("${aws_route53_zone.ssm_ap-northeast-1_amazonaws_com.zone_id}");
    expect(Object.keys(hub.output.zone_ids.value)).toHaveLength(6);
    expect(hub.output.endpoint_ids.value).toEqual({
      ssm: "${aws_vpc_endpoint.ssm.id}",
      ssmmessages: "${aws_vpc_endpoint.ssmmessages.id}",
      ec2messages: "${aws_vpc_endpoint.ec2messages.id}",
      s3: "${aws_vpc_endpoint.s3.id}",
    });
    expect(hub.output.endpoint_dns_names.value.s3).toBe("${aws_vpc_endpoint.s3.dns_entry[0].dns_name}");
  });

  it("keeps resource addresses stable when a service is added", () => {
    const doc = exampleDoc();
    doc.hubs.tokyo.services.splice(1, 0, "ecr.api");
    const more = synth(doc, { hcl: false }).json["hub-tokyo"];
    const before = Object.keys(resources(hub, "aws_route53_zone"));
    const after = Object.keys(resources(more, "aws_route53_zone"));
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((k) => !before.includes(k))).toEqual(["api_ecr_ap-northeast-1_amazonaws_com"]);
    expect(resources(more, "aws_vpc_endpoint")["ecr_api"]).toMatchObject({ service_name: "com.amazonaws.ap-northeast-1.ecr.api" });
  });

  it("uses an S3 backend with one key per stack and native locking when asked", () => {
    const doc = exampleDoc();
    doc.backend = { kind: "s3", bucket: "acme-tf-state", region: "ap-northeast-1", keyPrefix: "network/privatelink" };
    const s3 = synth(doc, { hcl: false }).json["hub-tokyo"];
    expect(s3.terraform.backend).toEqual({
      s3: { bucket: "acme-tf-state", key: "network/privatelink/hub-tokyo.tfstate", region: "ap-northeast-1", encrypt: true, use_lockfile: true },
    });
  });
});

describe("hub stack: hybrid DNS", () => {
  let hub: any;
  beforeAll(() => {
    hub = synth(exampleDoc(), { hcl: false }).json["hub-tokyo"];
  });

  it("creates an inbound Resolver endpoint with the pinned addresses in two AZs", () => {
    expect(resources(hub, "aws_route53_resolver_endpoint")["tokyo_inbound"]).toEqual(
      expect.objectContaining({
        direction: "INBOUND",
        provider: "aws.network_hub_ap_northeast_1",
        security_group_ids: ["${aws_security_group.tokyo-resolver-inbound.id}"],
        ip_address: [
          { subnet_id: "subnet-0a1b2c3d4e5f60011", ip: "10.0.1.53" },
          { subnet_id: "subnet-0a1b2c3d4e5f60012", ip: "10.0.2.53" },
        ],
      }),
    );
  });

  it("admits DNS on TCP and UDP 53 only from the on-prem CIDRs", () => {
    const rules = Object.values<any>(resources(hub, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.security_group_id === "${aws_security_group.tokyo-resolver-inbound.id}",
    );
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual([
      ["tcp", 53, 53, "192.168.0.0/16"],
      ["udp", 53, 53, "192.168.0.0/16"],
    ]);
  });

  it("outputs the inbound IPs and, per service, the --endpoint-url (bucket form for S3)", () => {
    expect(hub.output.resolver_inbound_ips.value).toBe("${sort(tolist(aws_route53_resolver_endpoint.tokyo_inbound.ip_address)[*].ip)}");
    expect(hub.output.endpoint_urls.value).toEqual({
      ssm: "https://${aws_vpc_endpoint.ssm.dns_entry[0].dns_name}",
      ssmmessages: "https://${aws_vpc_endpoint.ssmmessages.dns_entry[0].dns_name}",
      ec2messages: "https://${aws_vpc_endpoint.ec2messages.dns_entry[0].dns_name}",
      s3: 'https://bucket.${replace(aws_vpc_endpoint.s3.dns_entry[0].dns_name, "*.", "")}',
    });
  });

  it("lets AWS assign one address per AZ when none is pinned", () => {
    const doc = exampleDoc();
    delete doc.hubs.tokyo.resolver;
    const assigned = synth(doc, { hcl: false }).json["hub-tokyo"];
    expect(resources(assigned, "aws_route53_resolver_endpoint")["tokyo_inbound"].ip_address).toEqual([
      { subnet_id: "subnet-0a1b2c3d4e5f60011" },
      { subnet_id: "subnet-0a1b2c3d4e5f60012" },
    ]);
  });

  it("creates no resolver without on-prem networks", () => {
    const doc = exampleDoc();
    delete doc.onPrem;
    delete doc.hubs.tokyo.resolver;
    const plain = synth(doc, { hcl: false }).json["hub-tokyo"];
    expect(resources(plain, "aws_route53_resolver_endpoint")).toEqual({});
    expect(plain.output).not.toHaveProperty("resolver_inbound_ips");
    const rules = Object.values<any>(resources(plain, "aws_vpc_security_group_ingress_rule"));
    expect(rules.map((r) => r.cidr_ipv4).sort()).toEqual(["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]);
  });
});
