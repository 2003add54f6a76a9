/**
 * `npm run validate [-- <outdir>]`: `terraform init -backend=false` + `terraform validate` of every
 * synthesized stack, both the JSON (`stacks/`) and the HCL export (`hcl/`, also `terraform fmt -check`),
 * offline against the provider mirror. Fails on any error **or warning**.
 */
import * as fs from "fs";
import * as path from "path";
import { runTerraform, terraformEnv, TerraformUnavailable, validateDirs } from "./terraform-env";

/** Stack directories of a synth output: `<outdir>/stacks/*` and `<outdir>/hcl/*`. */
export function stackDirs(outdir: string): string[] {
  return ["stacks", "hcl"].flatMap((kind) => {
    const base = path.join(outdir, kind);
    return fs.existsSync(base) ? fs.readdirSync(base).sort().map((name) => path.join(base, name)) : [];
  });
}

async function main(): Promise<void> {
  const outdir = path.resolve(process.argv[2] ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const dirs = stackDirs(outdir);
  if (dirs.length === 0) {
    console.error(`validate: no stacks under ${outdir}; run npm run synth first`);
    process.exit(2);
  }
  let env;
  try {
    env = terraformEnv();
  } catch (error) {
    if (error instanceof TerraformUnavailable) {
      console.error(`validate: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  console.log(`terraform ${env.version}, hashicorp/aws ${env.providerVersions.join(", ")} from ${env.mirror}; ${dirs.length} directories, each reported as it finishes`);
  let failed = 0;
  const started = Date.now();
  // Each directory is reported as soon as it is validated: no minute of silence on a large estate.
  await validateDirs(env, dirs, undefined, (result, i) => {
    const dir = dirs[i];
    let fmt = "";
    if (dir.includes(`${path.sep}hcl${path.sep}`)) {
      const check = runTerraform(env, dir, ["fmt", "-check", "-diff", "-no-color"]);
      fmt = check.status === 0 ? ", fmt clean" : ", NOT fmt-clean";
      if (check.status !== 0) console.log(check.stdout);
    }
    const ok = result.valid && result.errors === 0 && result.warnings === 0 && !fmt.includes("NOT");
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${path.relative(process.cwd(), dir)}: ${result.errors} errors, ${result.warnings} warnings${fmt} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    for (const d of result.diagnostics) console.log(`     ${d.severity}: ${d.summary}${d.detail ? ` — ${d.detail.split("\n")[0]}` : ""}`);
  });
  console.log(`validate: ${dirs.length - failed} of ${dirs.length} directories valid in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(failed === 0 ? 0 : 1);
}

if (require.main === module) void main();
