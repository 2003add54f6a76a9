/**
 * Configuration shapes the HCL export once got wrong, as a Terraform JSON configuration: each must render
 * to HCL that `terraform validate` and `terraform fmt -check` accept and that parses back to the same
 * configuration.
 */
export function hclShapes(options: { backend?: boolean } = {}): Record<string, any> {
  const config: Record<string, any> = {
    terraform: {
      required_version: ">= 1.10.0",
      backend: {
        s3: {
          bucket: "acme-state",
          key: "estate/hub.tfstate",
          region: "ap-northeast-1",
          encrypt: true,
          use_lockfile: true,
          assume_role: { role_arn: "arn:aws:iam::111122223333:role/state" },
          endpoints: { s3: "http://127.0.0.1:5000", sts: "http://127.0.0.1:5000" },
        },
      },
    },
    variable: { flag: { type: "bool", default: true } },
    locals: {
      names: ["a", "b"],
      interpolated_key: { '${upper("a")}b': 1, "${upper(\"c\")}": 2, "plain key": 3 },
      multi_line_bare: "${merge(\n  { a = 1 },\n  { b = 2 }\n)}",
      multi_line_in_template: "x-${upper(\n  \"b\"\n)}-y",
      directive: "%{ if var.flag }yes%{ else }no%{ endif }",
      directive_strip: "%{~ for n in local.names ~}${n}%{~ endfor ~}",
      escaped: "literal $${not_interpolated} and %%{not_a_directive}",
    },
    output: { shapes: { value: "${local.interpolated_key}" } },
  };
  if (options.backend === false) delete config.terraform.backend;
  return config;
}

/** The shapes' values as one expression, for `terraform console`. */
export const SHAPES_EXPRESSION =
  "jsonencode([local.interpolated_key, local.multi_line_bare, local.multi_line_in_template, local.directive, local.directive_strip, local.escaped])";
