/**
 * Running terraform for the operations commands: stdout and stderr read apart, machine output only from
 * `-json` streams (one event per line) or `terraform show -json`, never parsed from human text.
 *
 * - What terraform prints on stderr that is not an error (a CLI configuration warning, a deprecation) is
 *   passed on to the user, once per distinct text, and never parsed.
 * - The `-json` stream gives the progress (resource being read, planned, created...), the diagnostics
 *   (errors with their summary and detail) and the change summary; its human messages go to the log file.
 * - Signals: every terraform process of this run is tracked, so an interrupt is passed on to them.
 */
import { ChildProcess, spawn } from "child_process";
import { Writable } from "stream";
import { RUN_ID_VARIABLE, runIdFromEnv } from "../modules/run-id";

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  /** The resource the diagnostic is about, when terraform names one. */
  readonly address?: string;
}

export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly remove: number;
  readonly import: number;
}

export interface TerraformResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** From the `-json` stream: errors and warnings. */
  readonly diagnostics: readonly Diagnostic[];
  /** From the `-json` stream's `change_summary` (plan or apply). */
  readonly changes?: ChangeCounts;
}

export interface RunOptions {
  /** Where the run's output goes (the stack's log file): the human messages of a `-json` stream, and stderr. */
  readonly log: Writable;
  /** The arguments include `-json`: read stdout as events. */
  readonly json?: boolean;
  /** What terraform is doing now ("creating aws_vpc_endpoint.ssm"), from the `-json` stream. */
  readonly onActivity?: (activity: string) => void;
  /** Text terraform wrote on stderr that is not an error of this run (warnings), for the user. */
  readonly onWarning?: (text: string) => void;
}

/** Terraform processes of this run: signals are passed on to them. */
export const running = new Set<ChildProcess>();

/** Passes a signal on to every terraform process of this run (terraform stops gracefully on SIGINT). */
export function interruptAll(): number {
  for (const child of running) child.kill("SIGINT");
  return running.size;
}

const ACTIONS: Record<string, string> = { create: "creating", update: "updating", delete: "destroying", replace: "replacing", read: "reading", noop: "checking" };

/** What an event of the `-json` stream says terraform is doing, if anything. */
export function activityOf(event: any): string | undefined {
  const addr = event.hook?.resource?.addr ?? event.change?.resource?.addr;
  switch (event.type) {
    case "apply_start":
    case "apply_progress":
      return `${ACTIONS[event.hook.action] ?? event.hook.action} ${addr}${event.hook.elapsed_seconds ? ` (${event.hook.elapsed_seconds} s)` : ""}`;
    case "refresh_start":
      return `reading ${addr}`;
    case "planned_change":
      return `planned: ${event.change.action} ${addr}`;
    case "provision_start":
    case "provision_progress":
      return `running ${event.hook.provisioner} for ${addr}`;
    case "provision_output":
      return `${addr}: ${String(event.hook.output ?? "").trim().slice(0, 160)}`;
    case "change_summary":
      return event["@message"];
    default:
      return undefined;
  }
}

const CLI_CONFIG_PROBLEMS = /There are some problems with the CLI configuration:[\s\S]*?(?:As a result of the above problems, Terraform may not behave as intended\.|$)/;

/**
 * What on stderr is not this run's error, for the user: the CLI configuration's problems (terraform goes on
 * after them), and anything a successful run printed there. Passed on as it is, never parsed.
 */
export function stderrWarnings(stderr: string, status: number): string | undefined {
  const config = CLI_CONFIG_PROBLEMS.exec(stderr)?.[0];
  const rest = config ? stderr.replace(config, "") : stderr;
  const parts = [config, status === 0 ? rest : undefined].map((p) => p?.trim()).filter((p): p is string => !!p);
  return parts.length ? parts.join("\n") : undefined;
}

/** Runs `<binary> <args>` in `cwd`, never prompting. */
export function runTerraform(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions): Promise<TerraformResult> {
  return new Promise((resolve) => {
    const binary = env.TERRAFORM_BINARY_NAME || "terraform";
    const child = spawn(binary, [...args], {
      cwd,
      // The run id names the deploy roles' sessions (modules/run-id.ts): from the CI job unless set.
      env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1", [`TF_VAR_${RUN_ID_VARIABLE}`]: runIdFromEnv(env) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const { log } = options;
    log.write(`$ terraform ${args.join(" ")}\n`);
    let stdout = "";
    let stderr = "";
    let pending = "";
    const diagnostics: Diagnostic[] = [];
    let changes: ChangeCounts | undefined;
    const onEvent = (line: string) => {
      let event: any;
      try {
        event = JSON.parse(line);
      } catch {
        log.write(`${line}\n`);
        return;
      }
      if (typeof event !== "object" || event === null) return;
      if (typeof event["@message"] === "string") log.write(`${event["@message"]}\n`);
      if (event.type === "diagnostic" && event.diagnostic) {
        const d = event.diagnostic;
        diagnostics.push({ severity: d.severity === "warning" ? "warning" : "error", summary: String(d.summary ?? ""), detail: d.detail ? String(d.detail) : undefined, address: d.address });
        if (d.detail) log.write(`${d.detail}\n`);
      }
      if (event.type === "change_summary" && event.changes) {
        const c = event.changes;
        changes = { add: c.add ?? 0, change: c.change ?? 0, remove: c.remove ?? 0, import: c.import ?? 0 };
      }
      const activity = activityOf(event);
      if (activity) options.onActivity?.(activity);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stdout += text;
      if (!options.json) {
        log.write(text);
        return;
      }
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) onEvent(line);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stderr += text;
      log.write(text);
    });
    child.on("error", (error) => {
      running.delete(child);
      const message = (error as NodeJS.ErrnoException).code === "ENOENT" ? `${binary} was not found on PATH (set TERRAFORM_BINARY_NAME to use another binary)` : error.message;
      log.write(`${message}\n`);
      resolve({ status: 127, stdout, stderr: message, diagnostics: [{ severity: "error", summary: message }] });
    });
    child.on("close", (status) => {
      running.delete(child);
      if (pending.trim()) onEvent(pending);
      const warnings = stderrWarnings(stderr, status ?? 1);
      if (warnings) options.onWarning?.(warnings);
      resolve({ status: status ?? 1, stdout, stderr, diagnostics, changes });
    });
  });
}

/** The first lines of what went wrong: the error diagnostics of a `-json` run, else the end of stderr/stdout. */
export function errorLines(result: TerraformResult, max = 6): string[] {
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    return errors
      .flatMap((d) => [`Error: ${d.summary}${d.address ? ` (${d.address})` : ""}`, ...(d.detail ? d.detail.split("\n").filter((l) => l.trim()) : [])])
      .slice(0, max);
  }
  const stderr = result.stderr.replace(CLI_CONFIG_PROBLEMS, "");
  const text = stderr.trim() ? stderr : `${stderr}\n${result.stdout}`;
  const lines = text
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, "").trimEnd())
    .filter((l) => l.trim());
  const start = lines.findIndex((l) => /^Error:/.test(l.trim()));
  return (start >= 0 ? lines.slice(start) : lines.slice(-max)).slice(0, max);
}
