/**
 * `terraform init` + `terraform validate` of every synthesized stack, JSON and HCL, with the real
 * terraform binary and the offline provider mirror. Missing terraform or mirror fails these tests
 * with the reason; they are never skipped.
 */
import * as path from "path";
import { runTerraform, terraformEnv, validateDir } from "../../scripts/terraform-env";
import { stackDirs } from "../../scripts/validate";
import { synth, tempDir } from "../helpers";

describe("terraform validate", () => {
  it("accepts every stack of the example, JSON and HCL, with 0 errors and 0 warnings, and the HCL is fmt-clean", () => {
    const env = terraformEnv(tempDir("tf"));
    expect(env.providerVersions).toContain("5.100.0");
    const out = synth();
    const dirs = stackDirs(out.outdir);
    expect(dirs.map((d) => path.relative(out.outdir, d))).toEqual(
      expect.arrayContaining(out.stacks.flatMap((s) => [`stacks/${s.name}`, `hcl/${s.name}`])),
    );
    const results = dirs.map((dir) => {
      const result = validateDir(env, dir);
      return {
        dir: path.relative(out.outdir, dir),
        errors: result.errors,
        warnings: result.warnings,
        diagnostics: result.diagnostics.map((d) => `${d.severity}: ${d.summary}`),
      };
    });
    expect(results).toEqual(dirs.map((dir) => ({ dir: path.relative(out.outdir, dir), errors: 0, warnings: 0, diagnostics: [] })));
    for (const dir of dirs.filter((d) => d.includes(`${path.sep}hcl${path.sep}`))) {
      const fmt = runTerraform(env, dir, ["fmt", "-check", "-diff", "-no-color"]);
      expect({ dir, status: fmt.status, diff: fmt.stdout }).toEqual({ dir, status: 0, diff: "" });
    }
  });
});
