/**
 * Template injection, tested from the schema: every string position of the topology (values and record
 * keys), found by walking the published JSON Schema, gets Terraform template payloads. Each one must
 * make synth exit 2 with a problem at exactly that position; nothing is written. A new string field
 * fails this test until a fixture below covers it, so no field can bypass the check.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { validateDocument } from "../../topology/load";
import { formatPath } from "../../topology/problems";
import { ROOT, tempDir } from "../helpers";
import { concrete, fixtures, Json, Pattern, PAYLOADS, setAt, stringPatterns } from "./fixtures";

interface Case {
  readonly pattern: string;
  readonly doc: Json;
  readonly path: Array<string | number>;
  readonly payload: string;
}

function cases(): { patterns: Pattern[]; uncovered: string[]; all: Case[] } {
  const patterns = stringPatterns();
  const docs = fixtures();
  const uncovered: string[] = [];
  const all: Case[] = [];
  for (const pattern of patterns) {
    const found = docs.map((doc) => ({ doc, at: concrete(doc, pattern)[0] })).find((f) => f.at !== undefined);
    if (!found) {
      uncovered.push(pattern.join("."));
      continue;
    }
    for (const payload of PAYLOADS) {
      const doc = JSON.parse(JSON.stringify(found.doc));
      const path = setAt(doc, found.at!, payload, pattern[pattern.length - 1] === "<key>");
      all.push({ pattern: pattern.join("."), doc, path, payload });
    }
  }
  return { patterns, uncovered, all };
}

describe("template injection, every string field of the schema", () => {
  const { patterns, uncovered, all } = cases();

  it("the fixtures cover every string position of the schema (a new field must be added here)", () => {
    expect(patterns.length).toBeGreaterThanOrEqual(60);
    expect(uncovered).toEqual([]);
    for (const doc of fixtures()) {
      expect(validateDocument(doc).filter((p) => p.message.includes("template sequence"))).toEqual([]);
    }
  });

  it("rejects every payload in every field, at exactly that field", () => {
    const missed: string[] = [];
    for (const c of all) {
      const problems = validateDocument(c.doc);
      const hit = problems.find((p) => JSON.stringify(p.path) === JSON.stringify(c.path) && p.message.includes("Terraform template sequence"));
      if (!hit) missed.push(`${c.pattern} <- ${c.payload}: ${problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join(" | ")}`);
    }
    expect(missed).toEqual([]);
    expect(all.length).toBe(patterns.length * PAYLOADS.length);
  });

  it("synth exits 2 naming the field and its line, and writes nothing, for the file() payload in every field", async () => {
    const main = path.join(ROOT, "dist", "main.js");
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm test does it first)`);
    const runs = all.filter((c) => c.payload === PAYLOADS[0]);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const c = runs[next++];
        const dir = tempDir("inject");
        fs.writeFileSync(path.join(dir, "topology.yaml"), stringify(c.doc));
        const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [main], { cwd: dir, env: { ...process.env, TOPOLOGY: "topology.yaml", CDKTF_OUTDIR: "", TARGET_ENDPOINT: "" } });
          let stderr = "";
          child.stderr.on("data", (d) => (stderr += d));
          child.on("close", (status) => resolve({ status, stderr }));
        });
        const named = new RegExp(`line \\d+: ${formatPath(c.path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*Terraform template sequence`);
        if (result.status !== 2 || !named.test(result.stderr) || fs.readdirSync(dir).join() !== "topology.yaml") {
          failures.push(`${c.pattern}: exit ${result.status}, files ${fs.readdirSync(dir).join(",")}\n${result.stderr.slice(0, 300)}`);
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(failures).toEqual([]);
    expect(runs.length).toBe(patterns.length);
  }, 180_000);
});
