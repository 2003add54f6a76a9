/**
 * The real DNS configuration parsers from Debian's packages: named-checkconf (bind9-utils),
 * unbound-checkconf (unbound), dnsmasq --test (dnsmasq-base). A missing parser throws with the package
 * to install: tests that need one fail, never skip.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./helpers";

const PARSERS: Record<"bind" | "unbound" | "dnsmasq", { binary: string; pkg: string; args: (file: string) => string[] }> = {
  bind: { binary: "named-checkconf", pkg: "bind9-utils", args: (f) => [f] },
  unbound: { binary: "unbound-checkconf", pkg: "unbound", args: (f) => [f] },
  dnsmasq: { binary: "dnsmasq", pkg: "dnsmasq-base", args: (f) => ["--test", `--conf-file=${f}`] },
};

/** Runs the format's real parser on `text`; returns its exit status and output. */
export function parse(format: keyof typeof PARSERS, text: string): { status: number | null; output: string } {
  const parser = PARSERS[format];
  const which = spawnSync("sh", ["-c", `command -v ${parser.binary} || ls /usr/sbin/${parser.binary} /sbin/${parser.binary} 2>/dev/null`], { encoding: "utf8" });
  const binary = which.stdout.trim().split("\n")[0];
  if (!binary) throw new Error(`${parser.binary} is not installed: apt-get install ${parser.pkg} (the README's set-up does it)`);
  const file = path.join(tempDir("dns"), `forwarders.${format}.conf`);
  fs.writeFileSync(file, text);
  const run = spawnSync(binary, parser.args(file), { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

