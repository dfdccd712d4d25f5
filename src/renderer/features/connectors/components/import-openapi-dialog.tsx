// Import an OpenAPI document — pasted, from a file (read here, sent as text) or from a URL — with
// the server's progress for large documents, and its refusal shown beside the field it concerns.
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { importOpenapi } from '../../../../shared/admin/connectors';
import { Field } from '../../../common/controls';
import { Dialog } from '../../../common/dialog';
import { useToast } from '../../../common/feedback';
import { fieldError, useSchemaForm } from '../../../common/form';
import { onProgress, type ProgressEvent } from '../../../common/live';
import { refetchTools } from '../../../common/queries';
import { callTool } from '../../../common/registry';
import { navigate } from '../../../common/router';
import { type ImportField, importErrorField } from '../lib/import-errors';
import { newProgressId } from '../lib/progress-id';
import { ImportProgress } from './import-progress';

type Source = 'paste' | 'file' | 'url';
const SOURCES: [Source, string][] = [
  ['paste', 'Paste it'],
  ['file', 'A file'],
  ['url', 'A URL'],
];

const formSchema = importOpenapi.input.pick({ slug: true, name: true, base_url: true });
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

function sizeText(bytes: number): string {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export function ImportOpenApiDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const client = useQueryClient();
  const toast = useToast();
  const form = useSchemaForm(formSchema, { slug: '' });
  const [source, setSource] = useState<Source>('paste');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState('');
  const [documentError, setDocumentError] = useState<string>();
  const [failure, setFailure] = useState<{ field: ImportField; message: string }>();
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  // Closing the dialog mid-import leaves the call running; its outcome then only refreshes lists.
  const current = useRef(0);

  const close = () => {
    current.current += 1;
    form.reset();
    setText('');
    setFile(null);
    setUrl('');
    setDocumentError(undefined);
    setFailure(undefined);
    setRunning(false);
    setProgress(null);
    onClose();
  };

  const documentInput = async (): Promise<{ spec: string } | { spec_url: string } | undefined> => {
    if (source === 'paste') {
      if (text.trim()) return { spec: text };
      setDocumentError('Paste the document (JSON or YAML).');
    } else if (source === 'file') {
      if (file) return { spec: await file.text() };
      setDocumentError('Choose a JSON or YAML file.');
    } else {
      if (/^https?:\/\/\S+$/.test(url.trim())) return { spec_url: url.trim() };
      setDocumentError('Enter the http(s) URL of the document.');
    }
    return undefined;
  };

  const submit = form.handleSubmit(async (fields) => {
    setFailure(undefined);
    setDocumentError(undefined);
    const doc = await documentInput();
    if (!doc) return;
    const run = ++current.current;
    const progressId = newProgressId();
    setProgress(null);
    setRunning(true);
    const stop = onProgress(progressId, (event) => {
      if (run === current.current) setProgress(event);
    });
    try {
      const result = await callTool('import_openapi', { ...fields, ...doc }, { progressId });
      void refetchTools(client);
      if (run !== current.current) return;
      const warnings = result.warnings.length ? ` (${result.warnings.length} warnings)` : '';
      toast.success(`Imported ${result.name}: ${result.actions.length} actions${warnings}.`);
      close();
      navigate(`/connectors/${encodeURIComponent(result.connector_id)}`);
    } catch (error) {
      if (run !== current.current) return;
      const said = error instanceof Error ? error.message : String(error);
      // The page cannot raise the server's body limit; a URL is read by the server itself.
      const message = /body too large/i.test(said) ? `${said} Give the document's URL instead.` : said;
      setFailure({ field: importErrorField(message), message });
      setRunning(false);
    } finally {
      stop();
    }
  });

  const errors = form.formState.errors as Record<string, unknown>;
  const errorFor = (field: ImportField) => (failure?.field === field ? failure.message : undefined);
  const docError = documentError ?? errorFor('document');

  return (
    <Dialog open={open} onClose={close} title="Import an OpenAPI document" wide>
      <form onSubmit={submit} noValidate>
        <div className="form-columns">
          <Field
            label="Slug"
            error={fieldError(errors, 'slug') ?? errorFor('slug')}
            hint='Prefix of its tool names, e.g. "petstore".'
          >
            {(props) => <input {...props} autoComplete="off" {...form.register('slug')} />}
          </Field>
          <Field
            label="Name (optional)"
            error={fieldError(errors, 'name') ?? errorFor('name')}
            hint="Default: the document's title."
          >
            {(props) => <input {...props} {...form.register('name', { setValueAs: blankToUndefined })} />}
          </Field>
        </div>
        <fieldset className="choice" disabled={running}>
          <legend>The document</legend>
          {SOURCES.map(([value, label]) => (
            <label key={value} className="inline">
              <input
                type="radio"
                name="openapi-source"
                value={value}
                checked={source === value}
                onChange={() => {
                  setSource(value);
                  setDocumentError(undefined);
                  if (failure?.field === 'document') setFailure(undefined);
                }}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {source === 'paste' && (
          <Field
            label="OpenAPI document (JSON or YAML)"
            error={docError}
            hint="OpenAPI 3.0/3.1 or Swagger 2.0."
          >
            {(props) => (
              <textarea
                {...props}
                className="spec-text"
                spellCheck={false}
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
            )}
          </Field>
        )}
        {source === 'file' && (
          <Field
            label="OpenAPI file"
            error={docError}
            hint={file ? `${file.name}, ${sizeText(file.size)}` : 'A .json, .yaml or .yml file.'}
          >
            {(props) => (
              <input
                {...props}
                type="file"
                accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
        )}
        {source === 'url' && (
          <Field
            label="Document URL"
            error={docError}
            hint="Portico fetches it (and can re-import it later with Refresh)."
          >
            {(props) => (
              <input
                {...props}
                type="url"
                placeholder="https://example.com/openapi.yaml"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field
          label="Base URL (optional)"
          error={fieldError(errors, 'base_url') ?? errorFor('base_url')}
          hint="Overrides the document's server URL, e.g. a staging host."
        >
          {(props) => (
            <input {...props} type="url" {...form.register('base_url', { setValueAs: blankToUndefined })} />
          )}
        </Field>
        {running && <ImportProgress progress={progress} />}
        <footer className="dialog-footer">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" disabled={running}>
            {running ? 'Importing…' : 'Import'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
