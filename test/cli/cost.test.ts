/**
 * `privatelink cost` as users run it (the bundled command, TOPOLOGY from the environment), and
 * `--refresh` against a wire-level Price List Query API (AWS JSON 1.1, `AWSPriceListService.GetProducts`,
 * paginated), written from the API reference. Its answers are fixtures in the documented shape with
 * prices invented for the test (0.0141 and so on), so that a refreshed value is told apart from the
 * bundled one; this project has no AWS account to record real answers with.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { costOfChange } from "../../cli/cost";
import { loadTopologyText } from "../../topology/load";
import { EXAMPLE, exampleDoc, ROOT, tempDir } from "../helpers";
import { stringify } from "yaml";

const BUNDLE = path.join(ROOT, "dist", "assets", "privatelink.cjs");

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BUNDLE, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, TOPOLOGY: EXAMPLE, ...env }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("privatelink cost", () => {
  it("--format json: totals and saving at the top level, and line items with stack, item, region, quantity, unit price, monthly USD", () => {
    const { code, stdout, stderr } = run(["cost", "--format", "json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect([report.centralizedMonthlyUsd, report.decentralizedMonthlyUsd, report.savingMonthlyUsd]).toEqual([356.54, 517.06, 160.52]);
    expect(report.lineItems[0]).toMatchObject({ stack: "hub-tokyo", item: "interface endpoints: 4 services × 2 AZs", region: "ap-northeast-1", quantity: 5840, unitPriceUsd: 0.014, monthlyUsd: 81.76 });
    expect(report.prices).toEqual({ date: "2026-09-20", origin: "bundled with privatelink-cdktf (aws/prices.ts)", hoursPerMonth: 730 });
  });

  it("markdown (default): the totals sentence, the break-even, the table adding up", () => {
    const { code, stdout } = run(["cost"]);
    expect(code).toBe(0);
    expect(stdout).toContain("**Centralized (this topology): 356.54 USD/month.** Decentralized alternative (the hub's services as endpoints in every spoke VPC): 517.06 USD/month. **Saving: 160.52 USD/month.**");
    expect(stdout).toContain("Break-even, hub tokyo: 3.00 USD/month only the centralized design pays; each spoke saves 81.76 USD/month on average; centralizing pays from 1 spoke (it has 2).");
    expect(stdout).toContain("| **Total** | | | | | | **356.54** |");
    expect(stdout).toContain("### Assumed prices (L)");
  });

  it("docs/cost.md's worked example is what the command prints for the example and examples/traffic.yaml", () => {
    const { code, stdout } = run(["cost", "--traffic", "examples/traffic.yaml"]);
    expect(code).toBe(0);
    const doc = fs.readFileSync(path.join(ROOT, "docs", "cost.md"), "utf8");
    const quoted = stdout.split("\n").filter((l) => l.startsWith("**Centralized") || l.startsWith("Break-even"));
    expect(quoted).toHaveLength(2);
    for (const line of quoted) expect(doc).toContain(`> ${line}`);
    const date = JSON.parse(run(["cost", "--format", "json"]).stdout).prices.date;
    expect(doc).toContain(`With the bundled prices of ${date} it prints:`);
  });

  it("bad input exits 2 with the reason: an unknown region, a bad traffic file, a bad option", () => {
    const dir = tempDir("cost");
    const doc = exampleDoc();
    doc.vpcs["orders-client-virginia"].region = "sa-east-1";
    doc.vpcs["orders-client-virginia"].subnets = [
      { id: "subnet-0a1b2c3d4e5f60061", az: "sa-east-1a", cidr: "10.60.1.0/24" },
      { id: "subnet-0a1b2c3d4e5f60062", az: "sa-east-1b", cidr: "10.60.2.0/24" },
    ];
    fs.writeFileSync(path.join(dir, "brazil.yaml"), stringify(doc));
    const region = run(["cost"], { TOPOLOGY: path.join(dir, "brazil.yaml") });
    expect(region.code).toBe(2);
    expect(region.stderr).toContain("sa-east-1: used by consumer orders-api/virginia");
    expect(region.stdout).toBe("");

    fs.writeFileSync(path.join(dir, "traffic.yaml"), "spokes:\n  nowhere: { sentGb: 1 }\n");
    const traffic = run(["cost", "--traffic", path.join(dir, "traffic.yaml")]);
    expect(traffic.code).toBe(2);
    expect(traffic.stderr).toContain("line 2: spokes.nowhere: is not a spoke of the topology");

    const option = run(["cost", "--format", "xml"]);
    expect([option.code, option.stderr]).toEqual([2, 'privatelink cost: --format is one of md, json, not "xml"\n(privatelink cost --help for usage)\n']);
  });

  it("hostile traffic and price files: malformed, a template sequence, over 4 MiB, an alias bomb, broken JSON; each a located error with exit 2, never a stack trace", () => {
    const dir = tempDir("cost-hostile");
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]", ..."bcdef".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdef"[i]}`).join(",")}]`), `g: [${Array(9).fill("*f").join(",")}]`].join("\n");
    const cases: Array<[string[], string]> = [
      [["--traffic", write("malformed.yaml", "spokes:\n  app-tokyo: { sentGb: [1\n")], "line 3: (top level): YAML syntax error: "],
      [["--traffic", write("template.yaml", 'spokes:\n  "${file(\\"/etc/hostname\\")}": { sentGb: 1 }\n')], 'line 2: spokes["${file(\\"/etc/hostname\\")}"]: is not a spoke of the topology'],
      [["--traffic", write("huge.yaml", `spokes:\n  app-tokyo: { sentGb: 1 }\n${"#".repeat(5_000_000)}\n`)], "(top level): cannot be read: it is 4.8 MiB, more than the 4.0 MiB accepted"],
      [["--traffic", write("bomb.yaml", `${bomb}\n`)], "cannot be read: Excessive alias count indicates a resource exhaustion attack"],
      [["--prices", write("prices.json", '{"version": 1, ')], "prices.json: 1 problem in the price table:\n  - cannot be read as JSON: "],
    ];
    for (const [args, message] of cases) {
      const result = run(["cost", ...args]);
      expect({ args: args[1], code: result.code, stdout: result.stdout, stackTrace: /\n\s+at /.test(result.stderr) }).toEqual({ args: args[1], code: 2, stdout: "", stackTrace: false });
      expect(result.stderr).toContain(message);
    }
  });
});

/** Price List products in the documented GetProducts shape (one JSON string per product). */
function product(attributes: Record<string, string>, dimensions: Array<{ usd: string; begin?: string; end?: string; unit?: string }>): string {
  const sku = `SKU${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
  return JSON.stringify({
    product: { productFamily: attributes.productFamily ?? "VpcEndpoint", sku, attributes: { servicecode: "AmazonVPC", ...attributes } },
    serviceCode: "AmazonVPC",
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: Object.fromEntries(
            dimensions.map((d, i) => [`${sku}.JRTCKXETXF.${i}`, { unit: d.unit ?? "Hrs", pricePerUnit: { USD: d.usd }, beginRange: d.begin ?? "0", endRange: d.end ?? "Inf", description: "fixture" }]),
          ),
          sku,
          effectiveDate: "2026-11-01T00:00:00Z",
        },
      },
    },
    version: "20261101000000",
    publicationDate: "2026-11-01T00:00:00Z",
  });
}

/** Answers for ap-northeast-3 only; other regions get empty answers (the bundled values are kept). */
function osakaAnswers(service: string, filters: Record<string, string>): string[] {
  if (filters.regionCode !== "ap-northeast-3" && filters.fromRegionCode !== "ap-northeast-3") return [];
  if (service === "AmazonVPC") {
    return [
      product({ usagetype: "APN3-VpcEndpoint-Hours", regionCode: "ap-northeast-3" }, [{ usd: "0.0141000000" }]),
      product({ usagetype: "APN3-VpcEndpoint-Bytes", regionCode: "ap-northeast-3" }, [
        { usd: "0.0100000000", begin: "0", end: "1000000", unit: "GB" },
        { usd: "0.0060000000", begin: "1000000", end: "5000000", unit: "GB" },
        { usd: "0.0040000000", begin: "5000000", end: "Inf", unit: "GB" },
      ]),
      product({ usagetype: "APN3-TransitGateway-Hours", regionCode: "ap-northeast-3", productFamily: "Transit Gateway" }, [{ usd: "0.0710000000" }]),
      product({ usagetype: "APN3-TransitGateway-Bytes", regionCode: "ap-northeast-3", productFamily: "Transit Gateway" }, [{ usd: "0.0200000000", unit: "GB" }]),
      product({ usagetype: "APN3-VpcEndpoint-Service-Hours", regionCode: "ap-northeast-3" }, [{ usd: "0.0500000000" }]),
    ];
  }
  if (service === "AWSELB") {
    return [
      product({ usagetype: "APN3-LoadBalancerUsage", regionCode: "ap-northeast-3", productFamily: "Load Balancer-Network" }, [{ usd: "0.0244000000" }]),
      product({ usagetype: "APN3-LCUUsage", regionCode: "ap-northeast-3", productFamily: "Load Balancer-Network" }, [{ usd: "0.0060000000", unit: "LCU-Hrs" }]),
    ];
  }
  if (service === "AWSDataTransfer") {
    return [
      product({ usagetype: "APN3-APN1-AWS-Out-Bytes", fromRegionCode: "ap-northeast-3", toRegionCode: "ap-northeast-1", transferType: "InterRegion Outbound" }, [{ usd: "0.0850000000", unit: "GB" }]),
      product({ usagetype: "APN3-USE1-AWS-Out-Bytes", fromRegionCode: "ap-northeast-3", toRegionCode: "us-east-1", transferType: "InterRegion Outbound" }, [{ usd: "0.0900000000", unit: "GB" }]),
    ];
  }
  return [];
}

async function priceListApi() {
  const requests: Array<{ target: string; body: any }> = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const body = JSON.parse(text || "{}");
      const target = String(req.headers["x-amz-target"]);
      requests.push({ target, body });
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (target !== "AWSPriceListService.GetProducts") {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "InvalidParameterException", message: `unknown operation ${target}` }));
        return;
      }
      const filters = Object.fromEntries((body.Filters ?? []).map((f: any) => [f.Field, f.Value]));
      const all = osakaAnswers(body.ServiceCode, filters);
      // Two products a page, so that paging is exercised.
      const start = body.NextToken ? Number(body.NextToken) : 0;
      const page = all.slice(start, start + 2);
      res.end(JSON.stringify({ FormatVersion: "aws_v1", PriceList: page, ...(start + 2 < all.length ? { NextToken: String(start + 2) } : {}) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((r) => server.close(r)) };
}

describe("privatelink cost --refresh", () => {
  it("reads the Price List API page by page, uses what it read, keeps and names what it could not, and --prices replays the saved table", async () => {
    const api = await priceListApi();
    try {
      const dir = tempDir("refresh");
      const saved = path.join(dir, "prices.json");
      const env = { AWS_ENDPOINT_URL: api.url, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" };
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        // Asynchronous: the API answers from this process.
        const child = spawn(process.execPath, [BUNDLE, "cost", "--format", "json", "--refresh", "--save-prices", saved], { cwd: ROOT, env: { ...process.env, TOPOLOGY: EXAMPLE, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.code).toBe(0);
      // Every region of the topology was asked, with the documented filters.
      const vpcAsks = api.requests.filter((r) => r.body.ServiceCode === "AmazonVPC" && !r.body.NextToken);
      expect(vpcAsks.map((r) => r.body.Filters[0].Value).sort()).toEqual(["ap-northeast-1", "ap-northeast-3", "us-east-1"]);
      expect(vpcAsks[0].body).toMatchObject({ FormatVersion: "aws_v1", Filters: [{ Type: "TERM_MATCH", Field: "regionCode" }] });
      // ap-northeast-3's 5 AmazonVPC products came in 3 pages.
      expect(api.requests.filter((r) => r.body.ServiceCode === "AmazonVPC" && r.body.Filters[0].Value === "ap-northeast-3")).toHaveLength(3);
      const table = JSON.parse(fs.readFileSync(saved, "utf8"));
      const osaka = table.regions["ap-northeast-3"];
      expect([osaka.interfaceEndpointHour.usd, osaka.interfaceEndpointHour.confidence]).toEqual([0.0141, "H"]);
      expect(osaka.interfaceEndpointGb.tiers).toEqual([{ upTo: 1000000, usd: 0.01 }, { upTo: 5000000, usd: 0.006 }, { usd: 0.004 }]);
      expect(osaka.interRegionOutGb.usd).toBe(0.09); // the highest rate to any region
      expect(osaka.nlbHour.usd).toBe(0.0244);
      // What the API did not answer keeps the bundled value, and the command says so.
      expect(table.regions["ap-northeast-1"].interfaceEndpointHour).toEqual(expect.objectContaining({ usd: 0.014, confidence: "M" }));
      expect(result.stderr).toContain("privatelink cost --refresh: ap-northeast-1 interfaceEndpointHour: not in the Price List answer; kept 0.014 (previous table)");
      expect(result.stderr).toContain("privatelink cost --refresh: Resolver endpoint and Route 53 Profile prices are not read from the Price List API: kept from bundled with privatelink-cdktf (aws/prices.ts)");
      // The report used the refreshed Osaka price: the spoke's own endpoints in the alternative.
      const report = JSON.parse(result.stdout);
      const osakaSpoke = report.decentralizedLineItems.find((l: any) => l.stack === "spoke-app-osaka" && /interface endpoints/.test(l.item));
      expect([osakaSpoke.unitPriceUsd, osakaSpoke.monthlyUsd]).toEqual([0.0141, Math.round(4 * 2 * 730 * 0.0141 * 100) / 100]);
      // --prices replays the saved table offline: the same totals with no API call.
      const before = api.requests.length;
      const replay = run(["cost", "--format", "json", "--prices", saved]);
      expect(replay.code).toBe(0);
      expect(api.requests.length).toBe(before);
      expect(JSON.parse(replay.stdout).decentralizedMonthlyUsd).toBe(report.decentralizedMonthlyUsd);
    } finally {
      await api.close();
    }
  });

  it("a price table with problems is refused with every one of them (exit 2)", () => {
    const file = path.join(tempDir("prices"), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ date: "2026-11-23", hoursPerMonth: 730, global: {}, regions: { "us-east-1": { interfaceEndpointHour: { usd: -1, confidence: "H" } } } }));
    const result = run(["cost", "--prices", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("global: needs hostedZoneMonth and resolverQueriesMillion");
    expect(result.stderr).toContain("regions.us-east-1.interfaceEndpointHour: missing or not a price");
    expect(result.stderr).toContain("regions.us-east-1.nlbHour: missing or not a price");
  });
});

describe("the plan summary's cost section", () => {
  it("shows the change's monthly delta against the base topology, per stack", () => {
    const dir = tempDir("cost-base");
    const after = exampleDoc();
    after.hubs.tokyo.services = ["ssm", "ssmmessages", "ec2messages"]; // s3 removed: 1 endpoint × 2 AZs and 3 zones fewer
    const base = path.join(dir, "base.yaml");
    fs.copyFileSync(EXAMPLE, base);
    const { model } = loadTopologyText(JSON.stringify(after), "after");
    const { markdown, json } = costOfChange(model, { baseTopology: base });
    const delta = -(Math.round(2 * 730 * 0.014 * 100) / 100 + 3 * 0.5); // −20.44 − 1.50
    expect(json!.deltaUsd).toBe(delta);
    expect(markdown).toContain(`### Monthly cost: 356.54 → ${(356.54 + delta).toFixed(2)} USD (−21.94)`);
    expect(markdown).toContain("| hub-tokyo | 267.26 | 245.32 | −21.94 |");
    expect(markdown).not.toContain("| spoke-app-tokyo |");
  });

  it("never fails the plan: a topology it cannot price gives a section saying why", () => {
    const doc = exampleDoc();
    doc.vpcs["orders-client-virginia"].region = "sa-east-1";
    doc.vpcs["orders-client-virginia"].subnets = [
      { id: "subnet-0a1b2c3d4e5f60061", az: "sa-east-1a", cidr: "10.60.1.0/24" },
      { id: "subnet-0a1b2c3d4e5f60062", az: "sa-east-1b", cidr: "10.60.2.0/24" },
    ];
    const { model } = loadTopologyText(JSON.stringify(doc), "brazil");
    const { markdown, json } = costOfChange(model);
    expect(json).toBeUndefined();
    expect(markdown).toMatch(/^### Monthly cost: not available\n\n```\nno prices for sa-east-1/);
  });
});
