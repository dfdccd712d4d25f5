/**
 * The OpenAPI importer: an OpenAPI 3.0/3.1 or Swagger 2.0 document (object, JSON/YAML text, local
 * file or http(s) URL) → a connector's actions, base URL and auth. A pure library: it stores nothing.
 */
import type { Action } from '../store/schema';
import { authOf, baseUrlOf, type ImportedAuth } from './openapi/auth';
import { type LoadOptions, loadSpec, type OpenApiSource } from './openapi/load';
import { collectOperations, convertOperations, type RawOperation } from './openapi/operations';
import { asObject, asString, bound, OpenApiImportError } from './openapi/util';

export type { ImportedAuth } from './openapi/auth';
export type { LoadOptions, OpenApiSource } from './openapi/load';
export { OpenApiImportError } from './openapi/util';

export interface ImportedApi {
  title: string;
  description: string;
  /** servers[0] with its variables' defaults, or Swagger 2 scheme + host + basePath; null when the document has none. */
  baseUrl: string | null;
  actions: Action[];
  /** From the first usable security scheme (those the global `security` names first). */
  auth: ImportedAuth | null;
  warnings: string[];
}

/** How far an import has got: `progress` only grows, and ends equal to `total`. */
export interface ImportProgress {
  /** Operations converted so far (0 once the document is loaded and validated). */
  progress: number;
  /** The operations to convert, once known. */
  total?: number;
  message: string;
}

export interface ImportOptions extends LoadOptions {
  /** Called once the document is loaded and validated, then about every 100 operations converted. */
  onProgress?: (progress: ImportProgress) => void;
}

const PROGRESS_EVERY = 100;

export async function importOpenApi(
  source: OpenApiSource,
  options: ImportOptions = {},
): Promise<ImportedApi> {
  const { doc, version, specUrl, warnings } = await loadSpec(source, options);
  const info = asObject(doc.info);

  const operations = collectOperations(doc, warnings);
  if (operations.length === 0) {
    const where =
      doc.paths === undefined
        ? 'there is no /paths'
        : 'no path under /paths has a get, put, post, delete, options, head or patch operation';
    throw new OpenApiImportError(`The document has no operations to import: ${where}.`);
  }

  const baseUrl = baseUrlOf(doc, version, specUrl, warnings);
  const auth = authOf(
    doc,
    version,
    operations.map((o) => o.op),
    baseUrl,
    warnings,
  );
  const { onProgress } = options;
  const total = operations.length;
  onProgress?.({
    progress: 0,
    total,
    message: `Loaded and validated the document: ${total} operation${total === 1 ? '' : 's'} to convert.`,
  });
  const converted = (progress: number) =>
    onProgress?.({ progress, total, message: `Converted ${progress} of ${total} operations.` });
  const actions = convertOperations(onProgress ? reportingTakeUp(operations, converted) : operations, {
    version,
    doc,
    auth,
    warnings,
  });
  converted(total);

  return {
    title: asString(info.title)?.trim() || 'Imported API',
    description: bound(asString(info.description) ?? '', 2000),
    baseUrl,
    actions,
    auth,
    warnings,
  };
}

/**
 * The same operations, each reporting when conversion takes it up (operation i taken up = i done),
 * so progress is seen without reaching into convertOperations. Reports every PROGRESS_EVERY.
 */
function reportingTakeUp(operations: RawOperation[], converted: (done: number) => void): RawOperation[] {
  let reported = 0;
  return operations.map((operation, index) => ({
    ...operation,
    get method() {
      if (index > reported && index % PROGRESS_EVERY === 0) {
        reported = index;
        converted(index);
      }
      return operation.method;
    },
  }));
}
