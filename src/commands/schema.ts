// `pivotshim schema config|trace`: print the JSON Schema of a zod schema, generated with
// z.toJSONSchema (never hand-written, so it cannot drift from what the parsers accept).
import type { Command } from "commander";
import * as z from "zod";
import { ConfigSchema } from "../schema.js";
import { TraceSchema } from "../trace-schema.js";
import { InvalidInputError } from "../errors.js";
import { EXIT } from "./common.js";
import { COMMAND_LINES } from "./descriptions.js";

/** The schemas `schema NAME` can print. Input side: what a file or caller may write. */
export const SCHEMAS = { config: ConfigSchema, trace: TraceSchema } as const;
export type SchemaName = keyof typeof SCHEMAS;

/** The JSON Schema (draft 2020-12) of a named schema; refinements are not expressible there. */
export function jsonSchema(name: SchemaName): Record<string, unknown> {
  const out = z.toJSONSchema(SCHEMAS[name], { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...out, title: `pivotshim ${name}` };
}

function runSchema(name: string): number {
  if (!Object.hasOwn(SCHEMAS, name)) {
    throw new InvalidInputError(`unknown schema "${name}"; expected one of ${Object.keys(SCHEMAS).join(", ")}`);
  }
  process.stdout.write(JSON.stringify(jsonSchema(name as SchemaName), null, 2) + "\n");
  return EXIT.ok;
}

export function register(cli: Command): void {
  cli.command("schema").argument("<name>", `which schema: ${Object.keys(SCHEMAS).join(" or ")}`)
    .description(COMMAND_LINES.schema)
    .addHelpText("after", `
Examples:
  pivotshim schema trace > trace.schema.json

Exit status: 0 printed, 2 unknown schema name.`)
    .action((name: string) => { process.exitCode = runSchema(name); });
}
