/**
 * onprem-dns output checked with the real parsers from Debian's packages: named-checkconf (bind9-utils),
 * unbound-checkconf (unbound) and dnsmasq --test (dnsmasq-base). A missing parser fails the test with the
 * package to install; it is never skipped.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { Forwarding, fromOutputs, main, render } from "../../cli/onprem-dns";
import { parse } from "../dns-parsers";
import { EXAMPLE, exampleDoc, ROOT, tempDir } from "../helpers";

const FORWARDING: Forwarding = {
  hub: "tokyo",
  zones: ["ssm.ap-northeast-1.amazonaws.com", "s3.ap-northeast-1.amazonaws.com", "api.ecr.ap-northeast-1.amazonaws.com"],
  ips: ["10.0.1.53", "10.0.2.53"],
};

describe("onprem-dns renderers", () => {
  it("BIND: one forward-only zone per name, accepted by named-checkconf", () => {
    const text = render("bind", FORWARDING);
    expect(text).toContain('zone "ssm.ap-northeast-1.amazonaws.com" {\n    type forward;\n    forward only;\n    forwarders { 10.0.1.53; 10.0.2.53; };\n};');
    expect(text.match(/^zone "/gm)).toHaveLength(3);
    expect(parse("bind", text)).toEqual({ status: 0, output: "" });
    expect(parse("bind", text.replace("forward only", "forward sometimes")).status).not.toBe(0);
  });

  it("Unbound: forward-zone clauses, accepted by unbound-checkconf", () => {
    const text = render("unbound", FORWARDING);
    expect(text).toContain('forward-zone:\n    name: "s3.ap-northeast-1.amazonaws.com."\n    forward-addr: 10.0.1.53\n    forward-addr: 10.0.2.53\n    forward-first: no');
    expect(parse("unbound", text)).toMatchObject({ status: 0, output: expect.stringContaining("no errors") });
    expect(parse("unbound", text.replace(/forward-addr/g, "forward-adr")).status).not.toBe(0);
  });

  it("dnsmasq: server=/domain/ip lines, accepted by dnsmasq --test", () => {
    const text = render("dnsmasq", FORWARDING);
    expect(text.split("\n").filter((l) => l.startsWith("server="))).toEqual([
      "server=/api.ecr.ap-northeast-1.amazonaws.com/10.0.1.53",
      "server=/api.ecr.ap-northeast-1.amazonaws.com/10.0.2.53",
      "server=/s3.ap-northeast-1.amazonaws.com/10.0.1.53",
      "server=/s3.ap-northeast-1.amazonaws.com/10.0.2.53",
      "server=/ssm.ap-northeast-1.amazonaws.com/10.0.1.53",
      "server=/ssm.ap-northeast-1.amazonaws.com/10.0.2.53",
    ]);
    expect(parse("dnsmasq", text)).toMatchObject({ status: 0, output: expect.stringContaining("syntax check OK") });
    expect(parse("dnsmasq", text.replace("server=", "sever=")).status).not.toBe(0);
  });

  it("Windows DNS: one Add-DnsServerConditionalForwarderZone per name", () => {
    expect(render("windows", FORWARDING).split("\n").filter((l) => l.startsWith("Add-"))).toEqual([
      'Add-DnsServerConditionalForwarderZone -Name "api.ecr.ap-northeast-1.amazonaws.com" -MasterServers 10.0.1.53,10.0.2.53 -PassThru',
      'Add-DnsServerConditionalForwarderZone -Name "s3.ap-northeast-1.amazonaws.com" -MasterServers 10.0.1.53,10.0.2.53 -PassThru',
      'Add-DnsServerConditionalForwarderZone -Name "ssm.ap-northeast-1.amazonaws.com" -MasterServers 10.0.1.53,10.0.2.53 -PassThru',
    ]);
  });

  it("refuses names or addresses that would break a configuration file", () => {
    expect(() => render("bind", { ...FORWARDING, zones: ['example.com"; };'] })).toThrow(/zone name "example.com"; };" has an invalid label "com"; };"/);
    expect(() => render("bind", { ...FORWARDING, ips: ["10.0.1.300"] })).toThrow(/"10.0.1.300" is not an IPv4 address/);
  });
});

describe("onprem-dns command", () => {
  it("works before any apply from the topology's pinned addresses (every hub zone)", () => {
    const result = main(["--format", "bind", "--topology", EXAMPLE]);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^zone "([^"]+)"/gm)).toEqual([
      'zone "ec2messages.ap-northeast-1.amazonaws.com"',
      'zone "s3-accesspoint.ap-northeast-1.amazonaws.com"',
      'zone "s3-control.ap-northeast-1.amazonaws.com"',
      'zone "s3.ap-northeast-1.amazonaws.com"',
      'zone "ssm.ap-northeast-1.amazonaws.com"',
      'zone "ssmmessages.ap-northeast-1.amazonaws.com"',
    ]);
    expect(result.stdout).toContain("forwarders { 10.0.1.53; 10.0.2.53; };");
    expect(parse("bind", result.stdout).status).toBe(0);
  });

  it("asks for the outputs when AWS assigns the addresses", () => {
    const doc = exampleDoc();
    delete doc.hubs.tokyo.resolver;
    const file = path.join(tempDir("topo"), "topology.yaml");
    fs.writeFileSync(file, stringify(doc));
    const result = main(["--format", "bind", "--topology", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hub "tokyo" lets AWS assign the resolver\'s addresses: pass the hub stack\'s outputs (--outputs, from terraform output -json)');
  });

  it("reads terraform output -json from a file or stdin", () => {
    const outputs = JSON.stringify({
      zone_ids: { sensitive: false, type: ["object", {}], value: { "ssm.ap-northeast-1.amazonaws.com": "Z1", "api.ecr.ap-northeast-1.amazonaws.com": "Z2" } },
      resolver_inbound_ips: { sensitive: false, type: ["list", "string"], value: ["10.0.1.77", "10.0.2.77"] },
    });
    const file = path.join(tempDir("out"), "outputs.json");
    fs.writeFileSync(file, outputs);
    const fromFile = main(["--format", "dnsmasq", "--outputs", file]);
    const fromStdin = main(["--format", "dnsmasq", "--outputs", "-"], () => outputs);
    expect(fromFile.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromFile.stdout).toContain("server=/ssm.ap-northeast-1.amazonaws.com/10.0.2.77");
    expect(() => fromOutputs(JSON.stringify({ zone_ids: { value: {} } }))).toThrow(/no resolver_inbound_ips: the hub has no on-prem network/);
  });

  it("reads the file cdktf output --outputs-file writes (plain values per stack), choosing the hub stack", () => {
    const cdktfFile = {
      "spoke-app-tokyo": { associated_zones: { "ssm.ap-northeast-1.amazonaws.com": "Z1" } },
      "hub-tokyo": { zone_ids: { "ssm.ap-northeast-1.amazonaws.com": "Z1", "s3.ap-northeast-1.amazonaws.com": "Z2" }, resolver_inbound_ips: ["10.0.1.53", "10.0.2.53"] },
    };
    expect(fromOutputs(JSON.stringify(cdktfFile))).toEqual({ hub: "tokyo", zones: ["ssm.ap-northeast-1.amazonaws.com", "s3.ap-northeast-1.amazonaws.com"], ips: ["10.0.1.53", "10.0.2.53"] });
    const two = { ...cdktfFile, "hub-osaka": { zone_ids: {}, resolver_inbound_ips: ["10.9.0.2"] } };
    expect(() => fromOutputs(JSON.stringify(two))).toThrow(/several hub stacks \(hub-tokyo, hub-osaka\): choose one with --hub/);
    expect(fromOutputs(JSON.stringify(two), "osaka")).toEqual({ hub: "osaka", zones: [], ips: ["10.9.0.2"] });
  });

  it("explains its options and rejects an unknown format", () => {
    const help = main(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: onprem-dns [options]");
    expect(help.stdout).toMatch(/--format FORMAT .*\(bind, unbound, dnsmasq, windows\)/s);
    expect(main(["--format", "pdns"])).toMatchObject({ code: 2, stderr: 'onprem-dns: --format is one of bind, unbound, dnsmasq, windows, not "pdns"\n(onprem-dns --help for usage)\n' });
    expect(main(["--outputs"])).toMatchObject({ code: 2, stderr: expect.stringContaining("onprem-dns: --outputs needs a value (FILE)") });
    expect(main(["--format", "bind", "--bogus"])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option --bogus; onprem-dns takes --format, --outputs, --topology, --hub") });
  });

  it("is bundled as a self-contained command", () => {
    const bundle = path.join(ROOT, "dist", "assets", "onprem-dns.cjs");
    const run = spawnSync(process.execPath, [bundle, "--format", "unbound", "--topology", EXAMPLE], { encoding: "utf8", cwd: tempDir("cwd") });
    expect(run.status).toBe(0);
    expect(parse("unbound", run.stdout).status).toBe(0);
  });
});
