/**
 * Synth on a hostile file system: it never follows a link out, never leaves a half-written state, and bad
 * files are a located error (exit 2) within seconds, never a hang, a crash or a stack trace.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../cli/privatelink";
import { terraformEnv, validateDirs } from "../../tools/terraform-env";
import { DIST, EXAMPLE, exampleDoc, tempDir } from "../helpers";

/** `npm run synth` (dist/main.js) in `cwd`. */
function synth(cwd: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(DIST, "main.js")], { cwd, encoding: "utf8", timeout: 60_000, env: { ...process.env, TOPOLOGY: "topology.yaml", CDKTF_OUTDIR: "", ...env } });
}

function project(prefix: string, doc: Record<string, unknown> = exampleDoc()): string {
  const dir = tempDir(prefix);
  fs.writeFileSync(path.join(dir, "topology.yaml"), stringify(doc));
  return dir;
}

const noStackTrace = (text: string) => !/\n\s+at [^\n]+\(/.test(text);

describe("synth on a hostile file system", () => {
  it("a lock file that links out of the topology's directory is refused, its target untouched; one that links inside is used; a directory is refused", () => {
    const dir = project("lock-link");
    const outside = path.join(tempDir("outside"), "secret.hcl");
    fs.writeFileSync(outside, "not a lock file\n");
    fs.symlinkSync(outside, path.join(dir, ".terraform.lock.hcl"));
    const out = synth(dir);
    expect([out.status, out.stderr.trim()]).toEqual([2, `.terraform.lock.hcl: is a symbolic link to ${fs.realpathSync(outside)}, outside ${fs.realpathSync(dir)}: refused (its target would be copied into every stack); make it a file`]);
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
    expect(fs.readFileSync(outside, "utf8")).toBe("not a lock file\n");

    fs.rmSync(path.join(dir, ".terraform.lock.hcl"));
    fs.mkdirSync(path.join(dir, "locks"));
    fs.writeFileSync(path.join(dir, "locks", "shared.hcl"), "# a lock\n");
    fs.symlinkSync(path.join("locks", "shared.hcl"), path.join(dir, ".terraform.lock.hcl"));
    expect(synth(dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "cdktf.out", "stacks", "hub-tokyo", ".terraform.lock.hcl"), "utf8")).toBe("# a lock\n");

    const other = project("lock-dir");
    fs.mkdirSync(path.join(other, ".terraform.lock.hcl"));
    const refused = synth(other);
    expect([refused.status, noStackTrace(refused.stderr)]).toEqual([2, true]);
    expect(refused.stderr).toContain(".terraform.lock.hcl: is not a file (a directory?)");
  });

  it("a stack directory of the output that is a symbolic link: its target is never emptied", () => {
    const dir = project("stack-link");
    expect(synth(dir).status).toBe(0);
    const target = tempDir("elsewhere");
    fs.writeFileSync(path.join(target, "precious.txt"), "keep me\n");
    const stack = path.join(dir, "cdktf.out", "stacks", "spoke-app-tokyo");
    fs.rmSync(stack, { recursive: true });
    fs.symlinkSync(target, stack);
    const again = synth(dir);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("is a symbolic link: not followed");
    expect(fs.readdirSync(target)).toEqual(["precious.txt"]);
    expect(fs.lstatSync(stack).isSymbolicLink()).toBe(false);
  });

  it("when the estate record cannot be written, nothing changes: the previous output and record stay, exit 2", () => {
    const dir = project("record-ro");
    expect(synth(dir).status).toBe(0);
    const before = fs.readFileSync(path.join(dir, "cdktf.out", "stacks", "hub-tokyo", "cdk.tf.json"), "utf8");
    const doc = exampleDoc();
    doc.hubs.tokyo.services = doc.hubs.tokyo.services.filter((s: unknown) => s !== "ssm");
    fs.writeFileSync(path.join(dir, "topology.yaml"), stringify(doc));
    // The record's directory does not exist.
    const out = synth(dir, { PRIVATELINK_ESTATE: path.join(dir, "missing", "topology.estate.json") });
    expect([out.status, noStackTrace(out.stderr)]).toEqual([2, true]);
    expect(out.stderr).toContain("the estate record cannot be written (ENOENT); nothing was changed");
    expect(fs.readFileSync(path.join(dir, "cdktf.out", "stacks", "hub-tokyo", "cdk.tf.json"), "utf8")).toBe(before);
    expect(fs.readdirSync(dir).filter((e) => e.includes(".staging-") || e.includes(".previous-"))).toEqual([]);
  });

  it("the staging directories of killed synths are removed; a live synth's is not", () => {
    const dir = project("staging");
    fs.mkdirSync(path.join(dir, "cdktf.out.staging-999999"), { recursive: true });
    fs.mkdirSync(path.join(dir, "cdktf.out.previous-999998"), { recursive: true });
    fs.mkdirSync(path.join(dir, `cdktf.out.staging-${process.pid}`), { recursive: true });
    expect(synth(dir).status).toBe(0);
    expect(fs.readdirSync(dir).filter((e) => e.startsWith("cdktf.out.")).sort()).toEqual([`cdktf.out.staging-${process.pid}`]);
  });

  it("TOPOLOGY=/dev/zero, a FIFO, a directory, invalid UTF-8 or a 20 MB file: exit 2 with the reason within seconds", () => {
    const dir = tempDir("topology-files");
    const fifo = path.join(dir, "fifo.yaml");
    spawnSync("mkfifo", [fifo]);
    fs.writeFileSync(path.join(dir, "latin1.yaml"), Buffer.from("name: caf\xe9\n", "latin1"));
    fs.writeFileSync(path.join(dir, "huge.yaml"), `# ${"x".repeat(20 * 1024 * 1024)}\n`);
    for (const [file, reason] of [
      ["/dev/zero", "cannot be read: it is a device, not a file"],
      [fifo, "cannot be read: it is a FIFO (named pipe), not a file"],
      [dir, "cannot be read: it is a directory, not a file"],
      [path.join(dir, "latin1.yaml"), "cannot be read: it is not valid UTF-8 text (line 1, byte 10)"],
      [path.join(dir, "huge.yaml"), "cannot be read: it is 20.0 MiB, more than the 16.0 MiB accepted"],
    ]) {
      const started = Date.now();
      const out = synth(dir, { TOPOLOGY: file });
      expect({ file, status: out.status, reason: out.stderr.includes(reason), trace: noStackTrace(out.stderr) }).toEqual({ file, status: 2, reason: true, trace: true });
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });

  it("a working directory named ${...}, with the output elsewhere: the path stays text in JSON and HCL, and terraform validates both", async () => {
    const base = tempDir("template-dir");
    const cwd = path.join(base, "${nope}", "estate");
    fs.mkdirSync(cwd, { recursive: true });
    fs.copyFileSync(EXAMPLE, path.join(cwd, "topology.yaml"));
    const outdir = path.join(base, "out");
    expect(synth(cwd, { CDKTF_OUTDIR: outdir }).status).toBe(0);
    const json = fs.readFileSync(path.join(outdir, "stacks", "spoke-app-tokyo", "cdk.tf.json"), "utf8");
    expect(json).toContain('file(\\"../../../$${nope}/estate/terraform.privatelink-example.hub-tokyo.tfstate\\")');
    expect(json).toContain('"path": "../../../${nope}/estate/terraform.privatelink-example.spoke-app-tokyo.tfstate"'); // backend settings are literal text in JSON
    const hcl = fs.readFileSync(path.join(outdir, "hcl", "spoke-app-tokyo", "main.tf"), "utf8");
    expect(hcl).toContain('path = "../../../$${nope}/estate/terraform.privatelink-example.spoke-app-tokyo.tfstate"');
    const env = terraformEnv(path.join(base, "tf"));
    const results = await validateDirs(env, [path.join(outdir, "stacks", "spoke-app-tokyo"), path.join(outdir, "hcl", "spoke-app-tokyo")]);
    expect(results.map((r) => [r.errors, r.diagnostics.map((d) => d.summary)])).toEqual([[0, []], [0, []]]);
  }, 120_000);

  it("backend.directory with a control character is a located problem", () => {
    const dir = project("control", { ...exampleDoc(), backend: { kind: "local", directory: "state\u0000x" } });
    const out = synth(dir);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('backend.directory: "state\\u0000x" contains a control character');
  });

  it("an estate record that is not JSON, whose stacks read from each other in a circle, or with a 300-character stack name: exit 2 naming the file, through every command", async () => {
    const dir = project("record-bad");
    const record = path.join(dir, "topology.estate.json");
    const entry = { role: "consumer", vpcId: "vpc-0a1b2c3d4e5f60005", providers: [], retired: true };
    for (const [text, message] of [
      ["{ not json", "not JSON"],
      [JSON.stringify({ version: 1, topology: "privatelink-example", stacks: { "consumer-a": { ...entry, upstreams: ["consumer-b"] }, "consumer-b": { ...entry, upstreams: ["consumer-a"] } } }), "read from each other in a circle"],
      [JSON.stringify({ version: 1, topology: "privatelink-example", stacks: { [`s${"x".repeat(299)}`]: { ...entry, upstreams: [] } } }), "stacks"],
    ]) {
      fs.writeFileSync(record, text);
      const viaSynth = synth(dir);
      expect({ message, status: viaSynth.status, named: viaSynth.stderr.includes("topology.estate.json"), says: viaSynth.stderr.includes(message), trace: noStackTrace(viaSynth.stderr) }).toEqual({ message, status: 2, named: true, says: true, trace: true });
      for (const command of ["synth", "plan", "deploy", "destroy"]) {
        const err: string[] = [];
        const code = await main([command, "--topology", path.join(dir, "topology.yaml"), "--auto-approve"].filter((a) => command === "deploy" || command === "destroy" || a !== "--auto-approve"), { ...process.env, CDKTF_OUTDIR: path.join(dir, "out") }, { out: () => undefined, err: (t) => err.push(t) });
        expect({ command, message, code, says: err.join("").includes(message) }).toEqual({ command, message, code: 2, says: true });
      }
    }
  });
});
