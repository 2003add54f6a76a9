import * as fs from "fs";
import * as path from "path";
import { loadTopologyFile } from "../../topology/load";
import { synthesize } from "../../synth/synthesize";
import { EXAMPLE, tempDir } from "../helpers";

describe("synthesize", () => {
  const { model } = loadTopologyFile(EXAMPLE);

  it("refuses to replace a directory that is not a previous synth output", () => {
    const dir = tempDir("precious");
    fs.writeFileSync(path.join(dir, "notes.txt"), "keep me");
    expect(() => synthesize(model, { outdir: dir })).toThrow(/refusing to replace .*: it is not empty and holds no previous synth output/);
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("refuses an output directory that contains the working directory", () => {
    const dir = tempDir("cwd");
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(() => synthesize(model, { outdir: "." })).toThrow(/contains the working directory/);
    } finally {
      process.chdir(cwd);
    }
  });

  it("replaces a previous output, leaving no staging directories behind", () => {
    const parent = tempDir("replace");
    const outdir = path.join(parent, "cdktf.out");
    synthesize(model, { outdir });
    fs.writeFileSync(path.join(outdir, "stale.txt"), "from an older synth");
    synthesize(model, { outdir });
    expect(fs.existsSync(path.join(outdir, "stale.txt"))).toBe(false);
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });
});
