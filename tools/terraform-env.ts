/**
 * Runs Terraform offline against a filesystem mirror of the AWS provider: finds the `terraform`
 * binary and a mirror holding `terraform-provider-aws_*` (never a hard-coded path), writes a CLI
 * config pointing at it, and runs terraform commands with that config.
 *
 * Mirror search order: $TF_PROVIDER_MIRROR; Terraform's implied local mirror directories; then a
 * bounded search of /opt, /usr/local, /usr/share, /srv and $HOME for a `registry.terraform.io`
 * directory that holds hashicorp/aws.
 */
import { execFileSync, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export class TerraformUnavailable extends Error {}

export interface TerraformEnv {
  readonly terraform: string;
  readonly version: string;
  /** Directory holding `registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/`. */
  readonly mirror: string;
  readonly providerVersions: readonly string[];
  /** CLI config file to pass as TF_CLI_CONFIG_FILE. */
  readonly cliConfig: string;
}

function platformDir(): string {
  const arch = os.arch() === "x64" ? "amd64" : os.arch();
  return `${os.platform()}_${arch}`;
}

function findTerraform(): string {
  const explicit = process.env.TERRAFORM_BINARY;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, os.platform() === "win32" ? "terraform.exe" : "terraform");
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new TerraformUnavailable(
    "terraform was not found on PATH (set TERRAFORM_BINARY to use another binary). The Terraform checks need terraform >= 1.10; install it and re-run.",
  );
}

/** Provider versions in a mirror directory that have a binary for this platform. */
function awsVersionsIn(mirror: string): string[] {
  const base = path.join(mirror, "registry.terraform.io", "hashicorp", "aws");
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base).filter((version) => {
    const dir = path.join(base, version, platformDir());
    return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith("terraform-provider-aws_"));
  });
}

function impliedMirrors(): string[] {
  const home = os.homedir();
  const dataHome = process.env.XDG_DATA_HOME || path.join(home, ".local", "share");
  const dataDirs = (process.env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(":");
  return [path.join(home, ".terraform.d", "plugins"), path.join(dataHome, "terraform", "plugins"), ...dataDirs.map((d) => path.join(d, "terraform", "plugins"))];
}

/** Breadth-first search for `<dir>/registry.terraform.io/hashicorp/aws`, at most `maxDepth` levels below each root. */
function searchMirror(roots: string[], maxDepth: number): string | undefined {
  const skip = new Set(["proc", "sys", "dev", "node_modules", ".git", ".cache", "cdktf.out"]);
  let frontier = roots.filter((r) => fs.existsSync(r));
  for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of frontier) {
      if (awsVersionsIn(dir).length > 0) return dir;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.isDirectory() && !skip.has(entry.name)) next.push(path.join(dir, entry.name));
      }
    }
    frontier = next;
  }
  return undefined;
}

export function findProviderMirror(): string {
  const explicit = process.env.TF_PROVIDER_MIRROR;
  if (explicit) {
    if (awsVersionsIn(explicit).length === 0) {
      throw new TerraformUnavailable(`TF_PROVIDER_MIRROR=${explicit} holds no hashicorp/aws provider for ${platformDir()}`);
    }
    return explicit;
  }
  const implied = impliedMirrors().find((dir) => awsVersionsIn(dir).length > 0);
  if (implied) return implied;
  const found = searchMirror(["/opt", "/usr/local", "/usr/share", "/srv", os.homedir()], 4);
  if (found) return found;
  throw new TerraformUnavailable(
    "no filesystem mirror of the hashicorp/aws provider was found (looked for registry.terraform.io/hashicorp/aws/<version>/" +
      `${platformDir()}/terraform-provider-aws_* under /opt, /usr/local, /usr/share, /srv and $HOME). Set TF_PROVIDER_MIRROR to its directory.`,
  );
}

let cached: TerraformEnv | undefined;

/**
 * Finds terraform and the mirror and writes the CLI config to `<workdir>/terraformrc` (default:
 * `.tf-offline/` in the current directory). Throws TerraformUnavailable with a clear message.
 */
export function terraformEnv(workdir = path.resolve(".tf-offline")): TerraformEnv {
  if (cached && fs.existsSync(cached.cliConfig)) return cached;
  const terraform = findTerraform();
  let version: string;
  try {
    const raw = execFileSync(terraform, ["version", "-json"], { encoding: "utf8", env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" } });
    version = JSON.parse(raw).terraform_version;
  } catch (error) {
    throw new TerraformUnavailable(`${terraform} does not run: ${(error as Error).message}`);
  }
  const mirror = findProviderMirror();
  fs.mkdirSync(workdir, { recursive: true });
  const cliConfig = path.join(workdir, "terraformrc");
  fs.writeFileSync(
    cliConfig,
    [
      "# Written by privatelink-cdktf: the AWS provider comes from a local filesystem mirror, nothing from the network.",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/aws"]',
      "  }",
      "  direct {",
      '    exclude = ["registry.terraform.io/hashicorp/aws"]',
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  cached = { terraform, version, mirror, providerVersions: awsVersionsIn(mirror), cliConfig };
  return cached;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment terraform runs with: the offline CLI config, no prompts, no update checks. */
function terraformProcessEnv(env: TerraformEnv, extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, TF_CLI_CONFIG_FILE: env.cliConfig, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...extraEnv };
}

/** Runs `terraform <args>` in `cwd` with the offline CLI config; never prompts (`input` goes to its stdin). */
export function runTerraform(env: TerraformEnv, cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(env.terraform, args, {
    cwd,
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: terraformProcessEnv(env, extraEnv),
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export interface ValidateResult {
  readonly dir: string;
  readonly valid: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: ReadonlyArray<{ severity: string; summary: string; detail?: string }>;
}

/** Like runTerraform, without blocking the event loop (several can run at once). */
export function runTerraformAsync(env: TerraformEnv, cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(env.terraform, args, { cwd, env: terraformProcessEnv(env, extraEnv) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

/** `terraform init -backend=false` then `terraform validate -json` in `dir`. */
export async function validateDir(env: TerraformEnv, dir: string): Promise<ValidateResult> {
  const init = await runTerraformAsync(env, dir, ["init", "-backend=false", "-input=false", "-no-color"]);
  if (init.status !== 0) {
    return { dir, valid: false, errors: 1, warnings: 0, diagnostics: [{ severity: "error", summary: "terraform init failed", detail: init.stderr || init.stdout }] };
  }
  const run = await runTerraformAsync(env, dir, ["validate", "-json", "-no-color"]);
  const report = JSON.parse(run.stdout);
  return {
    dir,
    valid: report.valid,
    errors: report.error_count,
    warnings: report.warning_count,
    diagnostics: report.diagnostics ?? [],
  };
}

/**
 * Validates directories a few at a time: most of `terraform validate`'s ~3 s goes to loading the AWS
 * provider's schema, once per process and directory, so concurrency is what shortens a batch.
 */
export async function validateDirs(env: TerraformEnv, dirs: readonly string[], concurrency = Math.max(2, os.cpus().length), onResult?: (result: ValidateResult, index: number) => void): Promise<ValidateResult[]> {
  const results: ValidateResult[] = new Array(dirs.length);
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) {
      const index = next++;
      results[index] = await validateDir(env, dirs[index]);
      onResult?.(results[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dirs.length) }, worker));
  return results;
}

/** `terraform init` (with the stack's backend, unless done already) then `apply` or `destroy`, auto-approved. */
export async function applyStack(env: TerraformEnv, dir: string, action: "apply" | "destroy", extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  if (!fs.existsSync(path.join(dir, ".terraform", "terraform.tfstate"))) {
    const init = await runTerraformAsync(env, dir, ["init", "-input=false", "-no-color"], extraEnv);
    if (init.status !== 0) return init;
  }
  // A destroy right after a verified plan need not refresh every resource first.
  const args = action === "apply" ? ["apply", "-auto-approve", "-input=false", "-no-color"] : ["destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false"];
  return runTerraformAsync(env, dir, args, extraEnv);
}

/**
 * Attributes a fresh `terraform plan` would change, per resource address (empty when the stack has no
 * drift). Uses a saved plan and `terraform show -json`.
 */
export async function plannedChanges(env: TerraformEnv, dir: string, extraEnv: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<Record<string, string[]>> {
  const plan = await runTerraformAsync(env, dir, ["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=drift.tfplan", ...extraArgs], extraEnv);
  if (plan.status === 0) {
    fs.rmSync(path.join(dir, "drift.tfplan"), { force: true });
    return {};
  }
  if (plan.status !== 2) throw new Error(`terraform plan failed in ${dir}:\n${plan.stderr || plan.stdout}`);
  const show = await runTerraformAsync(env, dir, ["show", "-json", "drift.tfplan"], extraEnv);
  fs.rmSync(path.join(dir, "drift.tfplan"), { force: true });
  return changesIn(JSON.parse(show.stdout));
}

/**
 * The changes of a plan (`terraform show -json`), per resource address: the attributes an update changes,
 * or the actions of a create, delete or replacement (with the paths that force it). No-ops and reads left out.
 */
export function changesIn(plan: any): Record<string, string[]> {
  const changes: Record<string, string[]> = {};
  for (const change of plan.resource_changes ?? []) {
    const actions: string[] = change.change.actions;
    if (actions.length === 1 && (actions[0] === "no-op" || actions[0] === "read")) continue;
    const before = change.change.before ?? {};
    const after = change.change.after ?? {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !(k in (change.change.after_unknown ?? {})),
    );
    changes[change.address] = actions.includes("create") || actions.includes("delete")
      ? [actions.join("+"), ...(change.change.replace_paths ?? []).map((p: string[]) => `replace:${p.join(".")}`)]
      : keys.sort();
  }
  return changes;
}
