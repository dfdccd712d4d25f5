import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An OpenAPI 3 document for the notes API, with the server URL filled in. */
export function notesSpec(baseUrl: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'Notes API', version: '1.0.0', description: 'A tiny notes service.' },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Note: {
          type: 'object',
          properties: { id: { type: 'string' }, text: { type: 'string' } },
          required: ['id', 'text'],
        },
        NewNote: {
          type: 'object',
          properties: { text: { type: 'string', description: 'The note text' }, pinned: { type: 'boolean' } },
          required: ['text'],
        },
      },
    },
    security: [{ key: [] }],
    paths: {
      '/notes': {
        get: {
          operationId: 'listNotes',
          summary: 'List notes',
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { notes: { type: 'array', items: { $ref: '#/components/schemas/Note' } } },
                  },
                },
              },
            },
          },
        },
        post: {
          operationId: 'createNote',
          summary: 'Create a note',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewNote' } } },
          },
          responses: {
            '201': {
              description: 'created',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Note' } } },
            },
          },
        },
      },
      '/notes/{noteId}': {
        get: {
          operationId: 'getNote',
          summary: 'Get a note',
          parameters: [{ name: 'noteId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Note' } } },
            },
          },
        },
        delete: {
          operationId: 'deleteNote',
          summary: 'Delete a note',
          parameters: [{ name: 'noteId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'deleted' } },
        },
      },
    },
  };
}

/**
 * A real notes API on 127.0.0.1 that also serves its own OpenAPI document at /openapi.json.
 * It checks X-API-Key against `apiKey` and records every request.
 */
export async function startNotesApi(apiKey: string) {
  const seen: SeenRequest[] = [];
  const notes = new Map<string, { id: string; text: string }>([['n1', { id: 'n1', text: 'first' }]]);
  let base = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      if (url.pathname === '/openapi.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(notesSpec(base)));
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.headers['x-api-key'] !== apiKey) return json(401, { error: 'bad key' });
      const id = /^\/notes\/([^/]+)$/.exec(url.pathname)?.[1];
      if (url.pathname === '/notes' && req.method === 'GET') return json(200, { notes: [...notes.values()] });
      if (url.pathname === '/notes' && req.method === 'POST') {
        const note = { id: `n${notes.size + 1}`, text: (JSON.parse(body) as { text: string }).text };
        notes.set(note.id, note);
        return json(201, note);
      }
      if (id && req.method === 'GET')
        return notes.has(id) ? json(200, notes.get(id)) : json(404, { error: `no note ${id}` });
      if (id && req.method === 'DELETE') {
        notes.delete(id);
        return res.writeHead(204).end();
      }
      return json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: base,
    seen,
    notes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
