// Type-level tests of the typed registry client: `tsc -p tsconfig.node.json` checks them (a
// wrong `@ts-expect-error` fails the typecheck); vitest runs them as ordinary, trivial tests.
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { implement } from '../../src/main/core/admin/registry';
import type { PorticoApi } from '../../src/preload/api';
import type { customerOutput } from '../../src/shared/admin/customers';
import { createCustomer } from '../../src/shared/admin/customers';
import type { CallResult, RegistryClient, ToolInput, ToolName, ToolOutput } from '../../src/shared/registry';

type Customer = z.output<typeof customerOutput>;

/** A client that answers nothing: these tests are about types. */
const client: RegistryClient = { call: async () => ({ ok: false, error: 'types only' }) };

describe('RegistryClient types', () => {
  it('create_customer takes {id, name} (metadata optional) and returns the customer output', () => {
    expectTypeOf<ToolInput<'create_customer'>>().toEqualTypeOf<{
      id: string;
      name: string;
      metadata?: Record<string, string> | undefined;
    }>();
    expectTypeOf<ToolOutput<'create_customer'>>().toEqualTypeOf<Customer>();
    expectTypeOf(client.call('create_customer', { id: 'acme', name: 'Acme' })).resolves.toEqualTypeOf<
      CallResult<Customer>
    >();
  });

  it('narrows a result to its value without a cast', async () => {
    const result = await client.call('create_customer', { id: 'acme', name: 'Acme' });
    if (result.ok) {
      expectTypeOf(result.value.exposure.tool_mode).toEqualTypeOf<'direct' | 'search' | 'auto'>();
      expectTypeOf(result.value.connection_count).toEqualTypeOf<number>();
    } else expectTypeOf(result.error).toEqualTypeOf<string>();
    const status = await client.call('get_gateway_status', {});
    if (status.ok) expectTypeOf(status.value.counts.customers).toEqualTypeOf<number>();
  });

  it('refuses a wrong tool name or a wrong input at compile time', () => {
    // @ts-expect-error -- no such tool
    void client.call('create_customers', { id: 'acme', name: 'Acme' });
    // @ts-expect-error -- `name` is required
    void client.call('create_customer', { id: 'acme' });
    // @ts-expect-error -- `id` is a string
    void client.call('create_customer', { id: 7, name: 'Acme' });
    // @ts-expect-error -- strict input: no unknown fields
    void client.call('create_customer', { id: 'acme', name: 'Acme', plan: 'pro' });
    // @ts-expect-error -- another tool's input
    void client.call('get_customer', { id: 'acme' });
    expectTypeOf<'create_customer'>().toExtend<ToolName>();
    expectTypeOf<'create_customers'>().not.toExtend<ToolName>();
  });

  it('is what the preload exposes to the window', () => {
    expectTypeOf<PorticoApi['registry']>().toEqualTypeOf<RegistryClient>();
    expectTypeOf<PorticoApi['onChange']>().toEqualTypeOf<(listener: () => void) => () => void>();
  });

  it('binds handlers that get the parsed input and must return the declared output', () => {
    const created: Customer = {
      id: 'acme',
      name: 'Acme',
      exposure: { mode: 'all', connector_ids: [], actions: {}, tool_mode: 'auto', naming: 'prefixed' },
      tool_overrides: {},
      metadata: {},
      connection_count: 0,
      created_at: '',
      updated_at: '',
      approvals: { policy: 'never', actions: [], timeout_s: 120 },
    };
    const tool = implement(createCustomer, async (input) => ({ ...created, id: input.id, name: input.name }));
    expectTypeOf(tool.handler).parameter(0).toEqualTypeOf<{
      id: string;
      name: string;
      metadata: Record<string, string>;
    }>();
    expectTypeOf(tool.name).toEqualTypeOf<'create_customer'>();
    // @ts-expect-error -- not the customer output
    implement(createCustomer, (input) => ({ id: input.id }));
  });
});
