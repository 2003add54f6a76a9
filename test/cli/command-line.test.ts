/**
 * The command-line kit (cli/kit.ts) as users meet it: every command of `privatelink`, and `phz-handshake`
 * and `onprem-dns`, answers `--help` with its own flags (exit 0) and `--version`, and refuses an unknown flag,
 * a flag without its value and an empty value with exit 2 naming what it takes, before doing anything.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { main } from "../../cli/privatelink";
import { parseCommand, UsageError } from "../../cli/kit";
import { EXAMPLE, ROOT, tempDir } from "../helpers";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out: () => out.join(""), err: () => err.join("") };
}

const COMMANDS: Record<string, string[]> = {
  synth: ["--topology"],
  plan: ["--topology", "--stacks", "--parallel", "--summary-md", "--summary-json", "--detailed-exitcode", "--out", "--changed-since", "--cost-base", "--traffic"],
  deploy: ["--topology", "--stacks", "--parallel", "--auto-approve", "--plan-set", "--step"],
  destroy: ["--topology", "--stacks", "--parallel", "--auto-approve"],
  lock: ["--topology", "--platform"],
  preflight: ["--topology"],
  cost: ["--topology", "--format", "--traffic", "--prices", "--refresh", "--save-prices"],
  pipeline: ["--topology", "--format", "--out"],
};

describe("privatelink's command line", () => {
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;

  it.each(Object.entries(COMMANDS))("%s --help lists exactly its own flags; --version; an unknown flag is exit 2 naming them", async (command, flags) => {
    const help = capture();
    expect(await main([command, "--help"], process.env, help.io)).toBe(0);
    const listed = [...help.out().matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual([...flags, "--help", "--version"]);
    expect(help.out()).toMatch(new RegExp(`^Usage: privatelink ${command}`));

    const v = capture();
    expect(await main([command, "--version"], process.env, v.io)).toBe(0);
    expect(v.out()).toMatch(new RegExp(`^privatelink ${version.replace(/\./g, "\\.")} \\(privatelink-cdktf, cdktf 0\\.21\\.0, node `));

    const bad = capture();
    expect(await main([command, "--bogus"], process.env, bad.io)).toBe(2);
    expect(bad.err()).toBe(`privatelink ${command}: unknown option --bogus; privatelink ${command} takes ${flags.join(", ")}\n(privatelink ${command} --help for usage)\n`);
    expect(bad.out()).toBe("");
  });

  it("global --help and --version exit 0; no command and an unknown command exit 2", async () => {
    const help = capture();
    expect(await main(["--help"], process.env, help.io)).toBe(0);
    for (const command of Object.keys(COMMANDS)) expect(help.out()).toContain(`  ${command}`);
    const v = capture();
    expect(await main(["--version"], process.env, v.io)).toBe(0);
    expect(v.out()).toContain(`privatelink ${version}`);
    const none = capture();
    expect(await main([], process.env, none.io)).toBe(2);
    const unknown = capture();
    expect(await main(["plna"], process.env, unknown.io)).toBe(2);
    expect(unknown.err()).toContain('privatelink: unknown command "plna"; commands: synth, plan, deploy, destroy, lock, preflight, cost, import, pipeline, handshake, onprem-dns');
  });

  it("--stacks with an empty list (an empty CI variable, a lone comma) or an unknown name is exit 2 naming the stacks, before anything runs", async () => {
    const work = tempDir("stacks");
    const env = { ...process.env, TOPOLOGY: EXAMPLE, CDKTF_OUTDIR: path.join(work, "out"), PRIVATELINK_ESTATE: path.join(work, "estate.json") };
    for (const [value, message] of [
      ["", "privatelink plan: --stacks is empty: it needs a value (LIST)"],
      [" ", "privatelink plan: --stacks is empty: it needs a value (LIST)"],
      [",", 'privatelink plan: --stacks "," names no stack'],
      [" , ,", 'privatelink plan: --stacks " , ," names no stack'],
      ["hub-osaka", "privatelink plan: --stacks: no stack hub-osaka; stacks: consumer-orders-api-tokyo, consumer-orders-api-virginia, hub-tokyo, service-orders-api, spoke-app-osaka, spoke-app-tokyo"],
    ]) {
      const c = capture();
      expect(await main(["plan", "--stacks", value], env, c.io)).toBe(2);
      expect(c.err()).toContain(message);
    }
    // Nothing ran: no lock file, no log.
    expect(fs.existsSync(path.join(work, "out", "logs"))).toBe(false);
  });

  it("result files are checked before the work starts: a missing directory, a directory, a symbolic link", async () => {
    const work = tempDir("outputs");
    fs.mkdirSync(path.join(work, "dir"));
    fs.symlinkSync(path.join(work, "elsewhere.md"), path.join(work, "link.md"));
    const env = { ...process.env, TOPOLOGY: EXAMPLE, CDKTF_OUTDIR: path.join(work, "out") };
    for (const [args, message] of [
      [["plan", "--summary-md", path.join(work, "missing", "plan.md")], `--summary-md ${path.join(work, "missing", "plan.md")}: the directory ${path.join(work, "missing")} does not exist`],
      [["plan", "--summary-json", path.join(work, "dir")], `--summary-json ${path.join(work, "dir")}: is a directory`],
      [["plan", "--summary-md", path.join(work, "link.md")], "is a symbolic link (refused: the file would be written through it)"],
      [["plan", "--traffic", path.join(work, "dir")], "--traffic"],
      [["plan", "--parallel", "1.5"], '--parallel must be a whole number from 1 to 64, not "1.5"'],
      [["deploy", "--step", "hub-tokyo"], "--step picks steps of a plan set: add --plan-set DIR"],
      [["lock", "--platform", "beos_ppc"], '--platform "beos_ppc" is not a platform such as linux_amd64 or darwin_arm64'],
    ] as const) {
      const c = capture();
      expect(await main([...args], env, c.io)).toBe(2);
      expect(c.err()).toContain(message);
    }
    expect(fs.existsSync(path.join(work, "out"))).toBe(false);
    expect(fs.existsSync(path.join(work, "elsewhere.md"))).toBe(false);
  });

  it("the parser: --flag=value, a repeated flag, a value that looks like a flag, a switch given a value", () => {
    const spec = { program: "t", summary: "t", flags: [{ name: "--a", value: "X", help: "" }, { name: "--b", value: "P", repeatable: true, help: "" }, { name: "--c", help: "" }] };
    expect(parseCommand(spec, ["--a=1", "--b", "x", "--b=y", "--c"]).values).toEqual({ a: "1", b: ["x", "y"], c: true });
    expect(() => parseCommand(spec, ["--a", "--c"])).toThrow(new UsageError("--a needs a value (X)"));
    expect(() => parseCommand(spec, ["--a", "1", "--a", "2"])).toThrow("--a is given twice");
    expect(() => parseCommand(spec, ["--c=yes"])).toThrow("--c takes no value");
    expect(() => parseCommand(spec, ["--aa", "1"])).toThrow("unknown option --aa (did you mean --a?); t takes --a, --b, --c");
    expect(() => parseCommand(spec, ["stray"])).toThrow('unexpected argument "stray"');
  });

  it("phz-handshake and onprem-dns: --help, --version, and exit 2 for an unknown flag (the bundles, as spoke stacks run them)", () => {
    for (const bin of ["phz-handshake", "onprem-dns"]) {
      const run = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "dist", "assets", `${bin}.cjs`), ...args], { encoding: "utf8" });
      const help = run("--help");
      expect([help.status, help.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(new RegExp(`^Usage: ${bin}`))]);
      expect(run("--version").stdout).toMatch(new RegExp(`^${bin} \\d+\\.\\d+\\.\\d+ \\(node `));
      const bad = run("--bogus");
      expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining(`${bin}: unknown option --bogus; ${bin} takes `)]);
    }
  });
});
