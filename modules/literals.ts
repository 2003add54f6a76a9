/**
 * The one escaping point for text that goes into Terraform's template language: a path, a name, anything
 * that is data and must stay data. In a Terraform string, `${` starts an interpolation and `%{` a directive;
 * doubling the marker (`$${`, `%%{`) writes it literally. A working directory named `${...}` then reaches a
 * stack as text, never as an expression Terraform evaluates.
 */

/** Text as the literal content of a Terraform template (attribute values of resources, data, locals, outputs). */
export function escapeTemplate(text: string): string {
  // Replacer functions: in a replacement string, "$$" would itself mean one "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Text as a quoted Terraform string literal, for use inside an expression (`file(<this>)`), or in HCL. */
export function hclString(text: string): string {
  return escapeTemplate(JSON.stringify(text));
}
