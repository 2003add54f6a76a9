/**
 * The layout's rules, checked on the sources: data flows one way (topology -> model -> stacks ->
 * modules), shipped code never depends on development tooling, and every relative link of the README
 * and docs/ resolves.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

function sources(dir: string): string[] {
  const base = path.join(ROOT, dir);
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Top-level folders a source file imports from (relative imports only). */
function importedFolders(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const folders = new Set<string>();
  for (const match of text.matchAll(/from "(\.[^"]+)"/g)) {
    const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), match[1]));
    folders.add(target.split(path.sep)[0]);
  }
  return [...folders];
}

/** What each folder may import from (besides itself and packages). */
const ALLOWED: Record<string, string[]> = {
  framework: [],
  aws: [],
  modules: ["framework", "aws"],
  topology: ["aws"],
  cost: ["aws", "topology"],
  stacks: ["framework", "aws", "modules", "topology"],
  synth: ["framework", "aws", "modules", "topology", "stacks"],
  cli: ["framework", "aws", "modules", "topology", "cost", "stacks", "synth"],
};

/** Packages of the construct framework: only the seam (framework/) imports them, so both flavours build from one source. */
const FRAMEWORK_PACKAGE = /^(?:import|export|\})[^\n]*\bfrom "(?:cdktf|cdktn|@cdktf\/provider-aws|@cdktn\/provider-aws)(?:\/[^"]*)?"|^[^'"`\n]*\b(?:require|import)\("(?:cdktf|cdktn|@cdktf\/provider-aws|@cdktn\/provider-aws)(?:\/[^"]*)?"\)/m;

describe("layout", () => {
  it.each(Object.keys(ALLOWED))("%s/ imports only from the layers below it", (folder) => {
    const files = sources(folder);
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) =>
      importedFolders(file)
        .filter((f) => f !== folder && !ALLOWED[folder].includes(f))
        .map((f) => `${file} imports ${f}/`),
    );
    expect(violations).toEqual([]);
  });

  it("only framework/ imports the construct framework and its provider bindings (the seam of the cdktf and cdktn flavours)", () => {
    const folders = ["aws", "topology", "cost", "modules", "stacks", "synth", "cli", "tools", "test"];
    const direct = ["main.ts", "index.ts", ...folders.flatMap(sources)].filter((file) => FRAMEWORK_PACKAGE.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    expect(direct).toEqual([]);
    expect(sources("framework").sort()).toEqual(["framework/aws.ts", "framework/core.ts"]);
  });

  it("the entry points (main.ts, index.ts) never import development tooling or tests", () => {
    expect(["main.ts", "index.ts"].flatMap((f) => importedFolders(f).filter((d) => d === "tools" || d === "test"))).toEqual([]);
  });

  it("every relative link of README.md and docs/ points at a file that exists", () => {
    const pages = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => path.join("docs", f))];
    const broken: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(path.join(ROOT, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!fs.existsSync(path.resolve(path.dirname(path.join(ROOT, page)), target))) broken.push(`${page} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
