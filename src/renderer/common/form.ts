// Forms validate with the registry's own zod schemas (the contracts in src/shared/admin), so a
// field error in the page is the same rule the server applies — and invalid input writes nothing.
import { zodResolver } from '@hookform/resolvers/zod';
import { type DefaultValues, type FieldValues, useForm } from 'react-hook-form';
import type { z } from 'zod';

export function useSchemaForm<S extends z.ZodType<FieldValues, FieldValues>>(
  schema: S,
  defaultValues?: DefaultValues<z.input<S>>,
) {
  return useForm<z.input<S>, unknown, z.output<S>>({
    resolver: zodResolver(schema as never) as never,
    mode: 'onTouched',
    ...(defaultValues ? { defaultValues } : {}),
  });
}

/** The message of a field's error, if any (react-hook-form nests them by path). */
export function fieldError(errors: Record<string, unknown>, name: string): string | undefined {
  const error = errors[name] as { message?: unknown } | undefined;
  return typeof error?.message === 'string' ? error.message : undefined;
}
