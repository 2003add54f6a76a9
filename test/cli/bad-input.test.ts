/**
 * Bad input to every command, generated from the commands' own flag definitions (cli/kit.ts FlagSpec): each
 * command is given an unknown flag; each of its value flags no value and an empty value; each path flag a
 * directory, a missing file, invalid UTF-8, a 20 MB file and a FIFO (a file it reads), or a directory, a path
 * in a missing directory and a FIFO (a file it writes), or the wrong kind of thing (a directory it reads or
 * writes). Every case must exit 2 with one message that names the flag or the path, nothing on stdout, no stack
 * trace, within a few seconds (nothing may start: no terraform, no emulator, no hang on the FIFO).
 *
 * A new flag is covered by being declared: the test reads the definitions, not a list of its own.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, FlagSpec } from "../../cli/kit";
import { ONPREM_DNS, main as onpremDns } from "../../cli/onprem-dns";
import { PHZ_HANDSHAKE } from "../../cli/phz-handshake/main";
import { COMMANDS, main as privatelink } from "../../cli/privatelink";
import { EMULATOR_COMMAND } from "../../tools/emulator";
import { DIST, EXAMPLE, tempDir } from "../helpers";

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

type Runner = (args: string[]) => Promise<Result>;

const work = tempDir("bad-input");
const env = { ...process.env, TOPOLOGY: EXAMPLE, CDKTF_OUTDIR: path.join(work, "out"), PRIVATELINK_ESTATE: path.join(work, "estate.json"), TF_CLI_CONFIG_FILE: path.join(work, "no.terraformrc") };

function inProcess(run: (args: string[], io: { out: (t: string) => void; err: (t: string) => void }) => Promise<number> | number): Runner {
  return async (args) => {
    const out: string[] = [];
    const err: string[] = [];
    const started = Date.now();
    const code = await run(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, stdout: out.join(""), stderr: err.join(""), ms: Date.now() - started };
  };
}

/** A bundled command in its own process; `separator`: as its npm script runs it (`node script -- <args>`). */
function spawned(script: string, separator = false): Runner {
  return (args) =>
    new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, [script, ...(separator ? ["--"] : []), ...args], { env, cwd: work });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      });
    });
}

interface Command {
  readonly title: string;
  readonly spec: CommandSpec;
  readonly run: Runner;
  /** Arguments that make the rest of the command line valid (an action, a format). */
  readonly base: string[];
}

const COMMAND_LIST: Command[] = [
  ...Object.entries(COMMANDS).map(([name, def]) => ({
    title: `privatelink ${name}`,
    spec: def.spec,
    run: inProcess((args, io) => privatelink([name, ...args], env, io)),
    base: name === "pipeline" ? ["--format", "atlantis"] : name === "deploy" || name === "destroy" ? ["--auto-approve"] : [],
  })),
  { title: "onprem-dns", spec: ONPREM_DNS, run: inProcess((args, io) => { const r = onpremDns(args, () => "", env); io.out(r.stdout); io.err(r.stderr); return r.code; }), base: ["--format", "bind"] },
  { title: "phz-handshake", spec: PHZ_HANDSHAKE, run: spawned(path.join(DIST, "assets", "phz-handshake.cjs")), base: ["associate"] },
  // As `npm run emulator -- <args>` runs it: `node dist/tools/emulator.js -- <args>` (Node 20 would take --env-file as its own otherwise).
  { title: "emulator", spec: EMULATOR_COMMAND, run: spawned(path.join(DIST, "tools", "emulator.js"), true), base: [] },
];

/** The wrong paths, made once. */
const fifo = path.join(work, "fifo");
spawnSync("mkfifo", [fifo]);
const dir = path.join(work, "a-directory");
fs.mkdirSync(dir);
const latin1 = path.join(work, "latin1.yaml");
fs.writeFileSync(latin1, Buffer.from("name: caf\xe9\n", "latin1"));
const huge = path.join(work, "huge.yaml");
fs.writeFileSync(huge, `# ${"x".repeat(20 * 1024 * 1024)}\n`);
const plainFile = path.join(work, "plain.txt");
fs.writeFileSync(plainFile, "not a directory\n");
const missing = path.join(work, "missing.yaml");
const inMissingDir = path.join(work, "no-such-dir", "out.md");

function pathCases(flag: FlagSpec): Array<[string, string]> {
  switch (flag.path) {
    case "read-file":
      return [["a directory", dir], ["a missing file", missing], ["invalid UTF-8", latin1], ["a 20 MB file", huge], ["a FIFO", fifo]];
    case "write-file":
      return [["a directory", dir], ["a path in a missing directory", inMissingDir], ["a FIFO", fifo]];
    case "read-dir":
      return [["a missing directory", path.join(work, "no-such-set")], ["a file", plainFile], ["a FIFO", fifo]];
    case "write-dir":
      return [["a file", plainFile], ["a path in a missing directory", path.join(work, "no-such-dir", "set")], ["a FIFO", fifo]];
    default:
      return [];
  }
}

interface Case {
  readonly command: Command;
  readonly what: string;
  readonly args: string[];
  /** What the message must name (the flag, or the path). */
  readonly names: string[];
}

const CASES: Case[] = COMMAND_LIST.flatMap((command) => [
  { command, what: "an unknown flag", args: [...command.base, "--no-such-flag"], names: ["--no-such-flag"] },
  ...command.spec.flags
    .filter((f) => f.value)
    .flatMap((flag) => [
      { command, what: `${flag.name} without its value`, args: [...command.base, flag.name], names: [flag.name] },
      { command, what: `${flag.name} with an empty value`, args: [...command.base, flag.name, ""], names: [flag.name] },
      ...pathCases(flag).map(([what, value]) => ({ command, what: `${flag.name} given ${what}`, args: [...command.base, flag.name, value], names: [flag.name, value] })),
    ]),
]);

describe("bad input to every command, from its own flag definitions", () => {
  it("every case exits 2 with one located message, nothing on stdout, no stack trace, within seconds", async () => {
    const started = Date.now();
    const failures: string[] = [];
    // The spawned commands run a few at a time; the in-process ones one after the other.
    const queue = [...CASES];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await c.command.run(c.args);
        const lines = r.stderr.trim().split("\n").filter(Boolean);
        const problems = [
          r.code !== 2 && `exit ${r.code}`,
          r.stdout !== "" && `stdout: ${r.stdout.slice(0, 120)}`,
          /\n\s+at .+\(.*:\d+:\d+\)/.test(r.stderr) && "a stack trace",
          !c.names.some((n) => r.stderr.includes(n) || r.stderr.includes(JSON.stringify(n).slice(1, -1))) && `no mention of ${c.names.join(" or ")}`,
          lines.length === 0 && "no message",
          r.ms > 10_000 && `took ${r.ms} ms`,
        ].filter(Boolean);
        if (problems.length) failures.push(`${c.command.title}: ${c.what}: ${problems.join("; ")}\n    ${lines.slice(0, 3).join("\n    ")}`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(failures).toEqual([]);
    const seconds = (Date.now() - started) / 1000;
    expect(CASES.length).toBeGreaterThan(120);
    process.stdout.write(`bad input: ${CASES.length} cases over ${COMMAND_LIST.length} commands, all exit 2, in ${seconds.toFixed(1)} s\n`);
  }, 300_000);
});
