// Add an upstream MCP server: a local command (stdio) or a Streamable HTTP URL. Portico lists its
// tools at once when it can; otherwise the server's next steps say what is missing.
import { useState } from 'react';
import { z } from 'zod';
import { createConnector } from '../../../../shared/admin/connectors';
import type { ToolOutput } from '../../../../shared/registry';
import { Field } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { useToolMutation } from '../../../common/queries';
import { navigate } from '../../../common/router';
import { parseLines, parsePairs } from '../lib/key-values';

const formSchema = createConnector.input
  .pick({ slug: true, name: true, transport: true, command: true, url: true })
  .extend({ args: z.string(), env: z.string(), headers: z.string() })
  .superRefine((v, ctx) => {
    if (v.transport === 'stdio' && !v.command?.trim())
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'Enter the command, e.g. "npx".' });
    if (v.transport === 'http' && !/^https?:\/\/\S+$/.test(v.url?.trim() ?? ''))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'Enter the http(s) URL of its MCP endpoint.' });
    const pairs = v.transport === 'stdio' ? parsePairs(v.env, '=') : parsePairs(v.headers, ':');
    if (pairs.error)
      ctx.addIssue({
        code: 'custom',
        path: [v.transport === 'stdio' ? 'env' : 'headers'],
        message: pairs.error,
      });
  });

type Created = ToolOutput<'create_connector'>;

export function AddMcpDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const create = useToolMutation('create_connector');
  const toast = useToast();
  const [created, setCreated] = useState<Created>();
  const form = useSchemaForm(formSchema, {
    slug: '',
    name: '',
    transport: 'stdio',
    command: '',
    url: '',
    args: '',
    env: '',
    headers: '',
  });
  const transport = form.watch('transport');
  const close = () => {
    setCreated(undefined);
    form.reset();
    create.reset();
    onClose();
  };
  const errors = form.formState.errors as Record<string, unknown>;

  const submit = form.handleSubmit(async (v) => {
    const base = { slug: v.slug, name: v.name, kind: 'mcp' as const };
    const input =
      v.transport === 'http'
        ? {
            ...base,
            transport: 'http' as const,
            url: v.url?.trim(),
            headers: parsePairs(v.headers, ':').pairs,
          }
        : {
            ...base,
            transport: 'stdio' as const,
            command: v.command?.trim(),
            args: parseLines(v.args),
            env: parsePairs(v.env, '=').pairs,
          };
    const value = await create.mutateAsync(input).catch(() => undefined);
    if (value) {
      toast.success(`Added ${value.name}: ${value.action_count} actions.`);
      setCreated(value);
    }
  });

  return (
    <Dialog open={open} onClose={close} title={created ? `Added ${created.name}` : 'Add an MCP server'} wide>
      {created ? (
        <div>
          <p className="ok-box" role="status">
            {created.action_count} actions from its tools.
          </p>
          {created.next_steps.length > 0 && (
            <>
              <h3>Next steps</h3>
              <ul className="next-steps">
                {created.next_steps.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ul>
            </>
          )}
          <footer className="dialog-footer">
            <button type="button" className="secondary" onClick={close}>
              Done
            </button>
            <button
              type="button"
              onClick={() => {
                close();
                navigate(`/connectors/${encodeURIComponent(created.id)}`);
              }}
            >
              Open connector
            </button>
          </footer>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <div className="form-columns">
            <Field
              label="Slug"
              error={fieldError(errors, 'slug')}
              hint='Prefix of its tool names, e.g. "memory".'
            >
              {(props) => <input {...props} autoComplete="off" {...form.register('slug')} />}
            </Field>
            <Field label="Name" error={fieldError(errors, 'name')}>
              {(props) => <input {...props} {...form.register('name')} />}
            </Field>
          </div>
          <fieldset className="choice">
            <legend>How Portico reaches it</legend>
            <label className="inline">
              <input type="radio" value="stdio" {...form.register('transport')} />A local command (stdio)
            </label>
            <label className="inline">
              <input type="radio" value="http" {...form.register('transport')} />A URL (Streamable HTTP)
            </label>
          </fieldset>
          {transport === 'http' ? (
            <>
              <Field label="URL" error={fieldError(errors, 'url')} hint="Its Streamable HTTP endpoint.">
                {(props) => <input {...props} type="url" {...form.register('url')} />}
              </Field>
              <Field
                label="Headers (optional)"
                error={fieldError(errors, 'headers')}
                hint="One per line, Name: value. Shared by every customer; stored encrypted, never shown again."
              >
                {(props) => (
                  <textarea {...props} className="short" spellCheck={false} {...form.register('headers')} />
                )}
              </Field>
            </>
          ) : (
            <>
              <Field label="Command" error={fieldError(errors, 'command')} hint='The executable, e.g. "npx".'>
                {(props) => <input {...props} autoComplete="off" {...form.register('command')} />}
              </Field>
              <Field
                label="Arguments (optional)"
                hint="One per line, e.g. -y then @modelcontextprotocol/server-memory."
              >
                {(props) => (
                  <textarea {...props} className="short" spellCheck={false} {...form.register('args')} />
                )}
              </Field>
              <Field
                label="Environment (optional)"
                error={fieldError(errors, 'env')}
                hint="One per line, NAME=value. Shared by every customer; stored encrypted, never shown again."
              >
                {(props) => (
                  <textarea {...props} className="short" spellCheck={false} {...form.register('env')} />
                )}
              </Field>
            </>
          )}
          <ErrorMessage error={create.error} />
          <footer className="dialog-footer">
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Connecting…' : 'Add server'}
            </button>
          </footer>
        </form>
      )}
    </Dialog>
  );
}
