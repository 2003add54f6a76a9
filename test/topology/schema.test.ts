import * as fs from "fs";
import * as path from "path";
import { renderSchema } from "../../tools/write-schema";
import { ROOT } from "../helpers";

describe("published JSON Schema", () => {
  it("is the one generated from the validator's schema (run npm run schema after changing it)", () => {
    expect(fs.readFileSync(path.join(ROOT, "topology.schema.json"), "utf8")).toBe(renderSchema());
  });

  it("describes the top-level sections, rejects unknown keys and constrains names", () => {
    const schema = JSON.parse(renderSchema());
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["name", "accounts", "vpcs", "hubs", "spokes", "onPrem", "privateLink", "backend", "target"]),
    );
    expect(schema.required).toEqual(expect.arrayContaining(["name", "accounts", "vpcs"]));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.accounts.propertyNames.pattern).toBe("^[a-z][a-z0-9-]{0,39}$");
    expect(schema.properties.accounts.additionalProperties.properties.id.pattern).toBe("^[0-9]{12}$");
  });
});
