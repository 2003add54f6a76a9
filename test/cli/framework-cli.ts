/**
 * What the framework CLI test (cdktf-cli 0.21 and cdktn-cli 0.24 in test/flavours/framework-clis-moto.test.ts)
 * works with: a user's project on the emulator, whose cdktf.json app is one
 * flavour's synth, and the CLI's output read as a user reads it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Emulator, readTopologyDoc } from "../../tools/emulator";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, ROOT } from "../helpers";

export interface CliRun {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command, stdout and stderr together (what a user sees). */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("close", (code) => resolve({ code, output }));
  });
}

export const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, "g")) ?? []).length;
export const sumOf = (text: string, pattern: RegExp) => [...text.matchAll(new RegExp(pattern.source, "g"))].reduce((n, m) => n + Number(m[1]), 0);

/** A project on the emulator: the example's topology with the emulator's ids, local state in `state/` of the project. */
export async function emulatorProject(emulator: Emulator, project: string): Promise<{ doc: Record<string, any>; env: NodeJS.ProcessEnv }> {
  const doc = await emulator.prepare(readTopologyDoc(EXAMPLE));
  doc.backend = { kind: "local", directory: "state" }; // relative to the project, where the CLI runs the synth
  const topology = path.join(project, "topology.json");
  fs.writeFileSync(topology, JSON.stringify(doc, null, 2));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOPOLOGY: topology,
    TARGET_ENDPOINT: emulator.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    TF_CLI_CONFIG_FILE: terraformEnv(path.join(project, ".tf-offline")).cliConfig,
    CHECKPOINT_DISABLE: "1",
    CI: "1",
  };
  return { doc, env };
}

/** A user's cdktf.json whose app is one flavour's synth (what `npm run synth` runs, without the build). */
export function useFlavour(project: string, dist: "dist" | "dist-cdktn"): void {
  fs.writeFileSync(
    path.join(project, "cdktf.json"),
    JSON.stringify({ language: "typescript", app: `node ${JSON.stringify(path.join(ROOT, dist, "main.js"))}`, output: "cdktf.out", projectId: "framework-cli-test", sendCrashReports: "false" }),
  );
}
