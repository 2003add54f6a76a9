/**
 * `privatelink lock [--platform P ...]`: the project's `.terraform.lock.hcl`, with the AWS provider's
 * checksums for every platform the team runs terraform on (default linux_amd64, linux_arm64, darwin_amd64,
 * darwin_arm64), so a lock committed on one machine works on a colleague's.
 *
 * 1. `terraform init` of a configuration holding only the stacks' provider requirements, in a scratch
 *    directory: the caller's CLI configuration applies (a filesystem mirror works offline); this picks the
 *    version and hashes this machine's platform.
 * 2. `terraform providers lock -fs-mirror=<mirror>` for the platforms a filesystem mirror of the CLI
 *    configuration has (offline).
 * 3. `terraform providers lock` from the registry for the others; when that fails (offline), they are named.
 *
 * The lock is written atomically (a temporary file renamed over it): a symbolic link in its place is
 * replaced, never written through.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { AWS_PROVIDER_CONSTRAINT } from "../modules/aws-provider";
import { TERRAFORM_VERSION_CONSTRAINT } from "../stacks/base-stack";
import { errorLines, runTerraform } from "./terraform";

export const DEFAULT_PLATFORMS = ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"] as const;

/** Platforms terraform knows (`<os>_<arch>`). */
export const PLATFORM_PATTERN = /^(linux|darwin|windows|freebsd|openbsd|solaris)_(amd64|arm64|arm|386)$/;

export type LockResult =
  | { readonly ok: true; readonly version: string; readonly hashed: readonly string[]; readonly missing: readonly string[]; readonly missingReason: string }
  | { readonly ok: false; readonly error: readonly string[] };

/** This machine's platform as terraform names it. */
export function hostPlatform(): string {
  const arch = os.arch() === "x64" ? "amd64" : os.arch() === "ia32" ? "386" : os.arch();
  return `${os.platform() === "win32" ? "windows" : os.platform()}_${arch}`;
}

/** Filesystem mirrors of the CLI configuration ($TF_CLI_CONFIG_FILE, else ~/.terraformrc) and the implied ones. */
export function filesystemMirrors(env: NodeJS.ProcessEnv): string[] {
  const mirrors: string[] = [];
  const config = env.TF_CLI_CONFIG_FILE || path.join(os.homedir(), ".terraformrc");
  try {
    const text = fs.readFileSync(config, "utf8");
    for (const m of text.matchAll(/filesystem_mirror\s*\{[^}]*?path\s*=\s*"((?:[^"\\]|\\.)*)"/g)) mirrors.push(JSON.parse(`"${m[1]}"`));
  } catch {
    // No CLI configuration: the implied mirrors only.
  }
  const dataHome = env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  mirrors.push(path.join(os.homedir(), ".terraform.d", "plugins"), path.join(dataHome, "terraform", "plugins"));
  return [...new Set(mirrors)].filter((m) => fs.existsSync(m));
}

/** Whether a mirror has the AWS provider `version` for `platform`, unpacked or packed. */
function mirrorHas(mirror: string, version: string, platform: string): boolean {
  const base = path.join(mirror, "registry.terraform.io", "hashicorp", "aws");
  return fs.existsSync(path.join(base, version, platform)) || fs.existsSync(path.join(base, `terraform-provider-aws_${version}_${platform}.zip`));
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export async function writeLockFile(file: string, env: NodeJS.ProcessEnv, platforms?: readonly string[], log: Writable = discard()): Promise<LockResult> {
  const wanted = [...new Set(platforms && platforms.length ? platforms : DEFAULT_PLATFORMS)];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-lock-"));
  try {
    fs.writeFileSync(
      path.join(scratch, "main.tf.json"),
      JSON.stringify({ terraform: { required_version: TERRAFORM_VERSION_CONSTRAINT, required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT } } } }),
    );
    const init = await runTerraform(scratch, ["init", "-backend=false", "-input=false", "-no-color"], env, { log });
    if (init.status !== 0) return { ok: false, error: errorLines(init) };
    const lockPath = path.join(scratch, ".terraform.lock.hcl");
    const version = /version\s+=\s+"([^"]+)"/.exec(fs.readFileSync(lockPath, "utf8"))?.[1] ?? "?";
    const hashed = new Set<string>([hostPlatform()]);
    const mirrors = filesystemMirrors(env);
    const fromMirror = new Map<string, string[]>();
    for (const platform of wanted) {
      if (hashed.has(platform)) continue;
      const mirror = mirrors.find((m) => mirrorHas(m, version, platform));
      if (mirror) fromMirror.set(mirror, [...(fromMirror.get(mirror) ?? []), platform]);
    }
    for (const [mirror, list] of fromMirror) {
      const run = await runTerraform(scratch, ["providers", "lock", `-fs-mirror=${mirror}`, ...list.map((p) => `-platform=${p}`), "-no-color"], env, { log });
      if (run.status === 0) for (const p of list) hashed.add(p);
    }
    const rest = wanted.filter((p) => !hashed.has(p));
    let missingReason = "";
    if (rest.length > 0) {
      const run = await runTerraform(scratch, ["providers", "lock", ...rest.map((p) => `-platform=${p}`), "-no-color"], env, { log });
      if (run.status === 0) for (const p of rest) hashed.add(p);
      else missingReason = `not in ${mirrors.length ? `the filesystem mirror (${mirrors.join(", ")})` : "any filesystem mirror"}, and the registry failed: ${errorLines(run, 3).join(" ").replace(/\s+/g, " ")}`;
    }
    const temp = `${file}.${process.pid}.tmp`;
    fs.copyFileSync(lockPath, temp);
    fs.renameSync(temp, file);
    return { ok: true, version, hashed: wanted.filter((p) => hashed.has(p)).concat(hashed.has(hostPlatform()) && !wanted.includes(hostPlatform()) ? [hostPlatform()] : []), missing: wanted.filter((p) => !hashed.has(p)), missingReason };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
