/**
 * How a prompt is declared (MCP 2025-06-18, "Prompts"): a name, a model-facing description,
 * string arguments checked with zod (a bad argument is a JSON-RPC -32602 error naming it) and
 * the text of one user message that walks the assistant through our tools.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';

export interface PromptDefinition {
  readonly name: string;
  register(server: McpServer): void;
}

export function definePrompt<A extends Record<string, z.ZodType<string | undefined>>>(spec: {
  name: string;
  title: string;
  description: string;
  args: A;
  text: (args: { [K in keyof A]: z.output<A[K]> }) => string;
}): PromptDefinition {
  return {
    name: spec.name,
    register(server) {
      // Typed as a plain shape so the SDK's callback type resolves; text() gets the parsed args.
      const argsSchema: Record<string, z.ZodType> = spec.args;
      server.registerPrompt(
        spec.name,
        { title: spec.title, description: spec.description, argsSchema },
        // The SDK parsed the arguments with spec.args.
        (args) => ({
          description: spec.description,
          messages: [
            {
              role: 'user' as const,
              content: {
                type: 'text' as const,
                text: spec.text(args as { [K in keyof A]: z.output<A[K]> }),
              },
            },
          ],
        }),
      );
    },
  };
}
