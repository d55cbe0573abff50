#!/usr/bin/env node
/**
 * `pulumi-resource-bitrix24`: the native Pulumi resource-provider plugin. The engine starts it as
 * `pulumi-resource-bitrix24 [--logtostderr] [-v=N] [--tracing <addr>] <engineAddr>` and reads the
 * gRPC port from the first line of stdout; everything else it says goes to stderr.
 */
import { PluginAdapter } from "./adapter";
import { serve } from "./server";
import { exitWhenEngineGone } from "../core/lifecycle/engineWatch";

/** The engine address: the last positional argument (flags and --tracing's value skipped). */
export function engineAddress(args: readonly string[]): string | undefined {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--tracing") i++;
    else if (!args[i].startsWith("-")) positional.push(args[i]);
  }
  return positional.pop();
}

/** Starts serving; the process then lives as long as the engine keeps it. */
export async function runPlugin(): Promise<void> {
  // The engine address is where a plugin would send its logs; this plugin reports through its
  // answers and stderr only, and uses the address to know when the engine is gone.
  const engine = engineAddress(process.argv.slice(2));
  if (!engine)
    process.stderr.write("pulumi-resource-bitrix24: no engine address given (serving anyway)\n");
  const { port } = await serve(new PluginAdapter());
  process.stdout.write(`${port}\n`);
  exitWhenEngineGone(engine);
}

if (require.main === module)
  runPlugin().catch((e: unknown) => {
    process.stderr.write(
      `pulumi-resource-bitrix24: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  });
