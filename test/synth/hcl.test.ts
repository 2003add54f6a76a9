import * as fs from "fs";
import * as path from "path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { normalizeTemplate, renderHcl } from "../../synth/hcl";
import { hclShapes } from "./hcl-shapes";
import { synth, Synthesized } from "../helpers";

const render = (config: any, blocks: Record<string, string[]> = {}) =>
  renderHcl(config, new Map(Object.entries(blocks).map(([k, v]) => [k, new Set(v)])));

describe("HCL renderer", () => {
  it("writes whole-expression templates bare and keeps quotes inside interpolations intact", () => {
    const hcl = render({
      resource: {
        terraform_data: {
          x: {
            input: {
              bare: "${aws_vpc_endpoint.s3.dns_entry[0].dns_name}",
              fn: '${replace(aws_vpc_endpoint.s3.dns_entry[0].dns_name, "*.", "")}',
              mixed: 'https://bucket.${replace(a.b, "*.", "")}/"quoted"',
              escaped: "literal $${not_interpolated} and a \\ backslash\nnewline",
              directive: "%{ if var.x }yes%{ endif }",
            },
          },
        },
      },
    });
    expect(hcl).toContain("bare      = aws_vpc_endpoint.s3.dns_entry[0].dns_name");
    expect(hcl).toContain('fn        = replace(aws_vpc_endpoint.s3.dns_entry[0].dns_name, "*.", "")');
    expect(hcl).toContain('mixed     = "https://bucket.${replace(a.b, "*.", "")}/\\"quoted\\""');
    expect(hcl).toContain('escaped   = "literal $${not_interpolated} and a \\\\ backslash\\nnewline"');
    expect(hcl).toContain('directive = "%{if var.x}yes%{endif}"'); // as terraform fmt writes it
  });

  it("writes meta-argument references and keywords bare", () => {
    const hcl = render({
      resource: {
        terraform_data: {
          x: {
            provider: "aws.hub",
            depends_on: ["aws_route53_zone.z"],
            lifecycle: { ignore_changes: ["vpc"], create_before_destroy: true },
            provisioner: [{ "local-exec": { when: "destroy", command: "echo ${self.input}", on_failure: "continue" } }],
          },
        },
      },
    });
    expect(hcl).toContain("provider   = aws.hub");
    expect(hcl).toContain("depends_on = [aws_route53_zone.z]");
    expect(hcl).toContain("  lifecycle {\n    ignore_changes        = [vpc]\n    create_before_destroy = true\n  }");
    expect(hcl).toContain('  provisioner "local-exec" {\n    when       = destroy\n    command    = "echo ${self.input}"\n    on_failure = continue\n  }');
  });

  it("writes blocks as blocks and maps as attributes, quoting keys that are not identifiers", () => {
    const hcl = render(
      { resource: { aws_route53_zone: { z: { name: "a.example", vpc: [{ vpc_id: "vpc-1" }, { vpc_id: "vpc-2" }], tags: { "a:b": "c", Name: "z" } } } } },
      { "resource.aws_route53_zone": ["vpc"] },
    );
    expect(hcl).toBe(
      [
        'resource "aws_route53_zone" "z" {',
        '  name = "a.example"',
        "  tags = {",
        '    "a:b" = "c"',
        '    Name  = "z"',
        "  }",
        "",
        "  vpc {",
        '    vpc_id = "vpc-1"',
        "  }",
        "",
        "  vpc {",
        '    vpc_id = "vpc-2"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });
});

/** Normalizes a configuration so the JSON and the HCL parsed back compare equal when they mean the same. */
function normalize(value: any, key = ""): any {
  if (key === "provisioner") {
    // cdktf: [{ "local-exec": {...} }, ...]; hcl2json: { "local-exec": [{...}, ...] }. Same provisioners, same order.
    const entries = Array.isArray(value)
      ? value.flatMap((p: any) => Object.entries(p))
      : Object.entries(value).flatMap(([type, list]) => (list as any[]).map((body) => [type, body]));
    return entries.map(([type, body]) => ({ type, body: normalize(body) }));
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, key));
    return items.length === 1 && typeof items[0] === "object" && items[0] !== null && !Array.isArray(items[0]) ? items[0] : items;
  }
  // Bare keywords, references and type constraints in HCL come back from hcl2json as "${...}".
  if (typeof value === "string" && ["provider", "depends_on", "ignore_changes", "when", "on_failure", "replace_triggered_by", "type"].includes(key)) {
    return value.replace(/^\$\{(.*)\}$/s, "$1");
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [normalizeTemplate(k), normalize(v, k)]),
    );
  }
  // Whitespace just inside ${ } and %{ } means nothing; the HCL export writes it as terraform fmt does.
  return typeof value === "string" ? normalizeTemplate(value) : value;
}

describe("HCL export of the shapes that once broke", () => {
  it("parses back to the same configuration: interpolated keys with quotes, multi-line interpolations, directives, the S3 backend's assume_role", async () => {
    const config = hclShapes();
    const hcl = render(config);
    expect(hcl).toContain('    "${upper("a")}b" = 1'); // quotes inside the interpolation stay unescaped
    expect(hcl).toMatch(/multi_line_bare +\= merge\(\{ a = 1 \}, \{ b = 2 \}\)\n/);
    expect(hcl).toMatch(/directive +\= "%\{if var\.flag\}yes%\{else\}no%\{endif\}"/);
    expect(hcl).toMatch(/assume_role += \{\n +role_arn = "arn:aws:iam::111122223333:role\/state"/);
    expect(hcl).not.toMatch(/assume_role \{/);
    // hcl2json drops strip markers (~) when it converts back; the HCL itself keeps them, as fmt writes them.
    expect(hcl).toMatch(/directive_strip +\= "%\{~for n in local\.names~\}\$\{n\}%\{~endfor~\}"/);
    const [parsed, expected] = [normalize(await parseHcl("main.tf", hcl)), normalize(config)];
    for (const c of [parsed, expected]) delete c.locals.directive_strip;
    expect(parsed).toEqual(expected);
  });
});

describe("HCL export of every stack", () => {
  let out: Synthesized;
  beforeAll(() => {
    out = synth();
  });

  it("parses back (hcl2json) to the same configuration as cdk.tf.json", async () => {
    expect(out.stacks.length).toBeGreaterThan(0);
    for (const stack of out.stacks) {
      const hclText = fs.readFileSync(path.join(out.outdir, "hcl", stack.name, "main.tf"), "utf8");
      const parsed = await parseHcl("main.tf", hclText);
      expect({ stack: stack.name, config: normalize(parsed) }).toEqual({ stack: stack.name, config: normalize(out.json[stack.name]) });
    }
  });

  it("copies the stack's assets next to main.tf so the HCL directory is self-contained", () => {
    for (const stack of out.stacks) {
      const assets = path.join(out.outdir, "stacks", stack.name, "assets");
      if (!fs.existsSync(assets)) continue;
      expect(fs.readdirSync(path.join(out.outdir, "hcl", stack.name, "assets"))).toEqual(fs.readdirSync(assets));
    }
  });
});
