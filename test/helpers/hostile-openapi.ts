// Hostile OpenAPI material shared by the importer's security tests: a folder tree with secrets
// beside and below the document's folder, and origins on 127.0.0.1 that count what they serve.
import { once } from 'node:events';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';

/** Strings that only the targets a hostile document aims at contain: none may come back. */
export const SECRETS = {
  besideKey: 'BESIDE-SECRET-KEY-5f1c',
  besideHashes: 'BESIDE-KEY-HASHES-a9d2',
  belowKey: 'BELOW-SECRET-KEY-77e0',
  belowDoc: 'BELOW-DATA-DOC-3b41',
  outside: 'OUTSIDE-THE-FOLDER-c0de',
  otherOrigin: 'OTHER-ORIGIN-SECRET-e11a',
} as const;

export const secretValues = (): string[] => Object.values(SECRETS);

/** A minimal OpenAPI 3 document whose one operation's body schema is `{$ref: ref}`. */
export function docWithRef(ref: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'hostile', version: '1' },
    servers: [{ url: 'http://127.0.0.1:9' }],
    paths: {
      '/things': {
        post: {
          operationId: 'make_thing',
          requestBody: { content: { 'application/json': { schema: { $ref: ref } } } },
          responses: { 200: { description: 'ok' } },
        },
      },
    },
    ...extra,
  };
}

export const asText = (doc: unknown, format: 'json' | 'yaml'): string =>
  format === 'json' ? JSON.stringify(doc, null, 2) : stringify(doc);

/** A schema document (valid JSON/YAML) whose description is `marker`. */
const schemaDoc = (marker: string) =>
  stringify({ Thing: { type: 'object', description: marker, properties: { [marker]: { type: 'string' } } } });

/**
 * base/
 *   outside.yaml                 a schema outside the document's folder
 *   data/secret.key, keys.json   a Portico data dir beside the folder
 *   spec/                        the document's folder
 *     schemas/common.yaml        legitimate, refers to ./more.yaml (in the tree)
 *     schemas/more.yaml
 *     alias.yaml → schemas/more.yaml     a symlink that stays inside
 *     data/secret.key, data/other.yaml   a Portico data dir below the folder
 *     link-out.yaml → ../outside.yaml    a symlink that leaves
 *     linkdir → ../data                  a symlinked folder that leaves
 *     nested-out.yaml            in the tree, refers to ../outside.yaml
 *     nested-data.yaml           in the tree, refers to data/secret.key
 */
export function hostileTree(base: string): { spec: string; data: string; outside: string } {
  const spec = path.join(base, 'spec');
  const data = path.join(base, 'data');
  mkdirSync(path.join(spec, 'schemas'), { recursive: true });
  mkdirSync(path.join(spec, 'data'), { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(base, 'outside.yaml'), schemaDoc(SECRETS.outside));
  writeFileSync(path.join(data, 'secret.key'), SECRETS.besideKey);
  writeFileSync(
    path.join(data, 'keys.json'),
    JSON.stringify({ Thing: { description: SECRETS.besideHashes } }),
  );
  writeFileSync(path.join(spec, 'data', 'secret.key'), SECRETS.belowKey);
  writeFileSync(path.join(spec, 'data', 'other.yaml'), schemaDoc(SECRETS.belowDoc));
  writeFileSync(
    path.join(spec, 'schemas', 'common.yaml'),
    stringify({
      Thing: {
        type: 'object',
        description: 'A legitimate thing',
        properties: { name: { $ref: './more.yaml#/Name' }, id: { type: 'integer' } },
      },
    }),
  );
  writeFileSync(
    path.join(spec, 'schemas', 'more.yaml'),
    stringify({ Name: { type: 'string', maxLength: 40 } }),
  );
  symlinkSync(path.join(spec, 'schemas', 'more.yaml'), path.join(spec, 'alias.yaml'));
  symlinkSync(path.join(base, 'outside.yaml'), path.join(spec, 'link-out.yaml'));
  symlinkSync(data, path.join(spec, 'linkdir'), 'dir');
  writeFileSync(
    path.join(spec, 'nested-out.yaml'),
    stringify({ Thing: { type: 'object', properties: { x: { $ref: '../outside.yaml#/Thing' } } } }),
  );
  writeFileSync(
    path.join(spec, 'nested-data.yaml'),
    stringify({ Thing: { type: 'object', properties: { x: { $ref: 'data/other.yaml#/Thing' } } } }),
  );
  return { spec, data, outside: path.join(base, 'outside.yaml') };
}

export interface Origin {
  url: string;
  server: Server;
  /** Every request path it was asked for. */
  requests: string[];
  close(): Promise<void>;
}

export async function startOrigin(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Origin> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const send = (res: ServerResponse, body: string, type = 'application/yaml') => {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
};

export const sendSchema = (res: ServerResponse, marker: string) => send(res, schemaDoc(marker));

/**
 * An endless chunked body: writes as fast as the client takes it, until the client goes away.
 * `sent` resolves with the bytes the server managed to hand to the socket, and the peak RSS of
 * this process seen while writing.
 */
export function streamEndlessly(res: ServerResponse): Promise<{ sent: number; peakRss: number }> {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  let sent = 0;
  let peakRss = process.memoryUsage.rss();
  let closed = false;
  res.writeHead(200, { 'content-type': 'application/yaml' });
  res.write('openapi: 3.0.3\ninfo: {title: endless, version: "1"}\nx-padding: >\n');
  const done = new Promise<{ sent: number; peakRss: number }>((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve({ sent, peakRss: Math.max(peakRss, process.memoryUsage.rss()) });
    });
  });
  const pump = () => {
    while (!closed) {
      sent += chunk.length;
      if (sent % (1024 * 1024) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return done;
}

/** A gzip body that inflates to `inflated` bytes of YAML padding. */
export function gzipBomb(inflated: number): Buffer {
  return gzipSync(Buffer.concat([Buffer.from('x-padding: >\n'), Buffer.alloc(inflated, ' ')]));
}
