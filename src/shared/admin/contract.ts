import type { z } from 'zod';

/**
 * An admin operation as its callers see it: name, title, description, zod input and output
 * schemas, annotations. The handler that carries it out is bound to it in src/main/core/admin.
 * Contracts import nothing from Node or from src/main, so the renderer and the preload can use them.
 */

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolContract<
  N extends string = string,
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> {
  name: N;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /**
   * For tools that carry a whole document (an OpenAPI description, a workspace export): the input
   * they accept over /api, beyond the workspace's request body limit.
   */
  maxInputBytes?: number;
}

/** The largest OpenAPI document Portico reads (by URL, file or pasted). */
export const MAX_OPENAPI_DOCUMENT_BYTES = 25 * 1024 * 1024;
/** The largest workspace export `portico import` reads. */
export const MAX_WORKSPACE_FILE_BYTES = 64 * 1024 * 1024;

/** Keeps a contract's literal name and its schemas' types (the typed client derives from them). */
export const contract = <const N extends string, I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolContract<N, I, O>,
): ToolContract<N, I, O> => tool;

/** Every call's answer, whatever the door: the output, or a message a person can act on. */
export type CallResult<T = Record<string, unknown>> = { ok: true; value: T } | { ok: false; error: string };
