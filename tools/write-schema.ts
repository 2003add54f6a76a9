/** `npm run schema`: writes topology.schema.json from the same zod schema the validator uses. */
import * as fs from "fs";
import { topologyJsonSchema } from "../topology/schema";

export function renderSchema(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync("topology.schema.json", renderSchema());
  console.log("wrote topology.schema.json");
}
