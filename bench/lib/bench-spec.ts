// The OpenAPI document of the bench upstream (bench/servers/upstream.ts), imported as the "bench"
// HTTP connector: a small item, a create, and a ~130 KB listing that echoes the caller's API key.

const itemId = { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } };

export function benchSpec() {
  return {
    openapi: '3.0.3',
    info: { title: 'Bench API', version: '1' },
    paths: {
      '/items/{itemId}': {
        get: {
          operationId: 'getItem',
          summary: 'Get an item by id',
          parameters: [itemId, { name: 'verbose', in: 'query', schema: { type: 'boolean' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/items': {
        post: {
          operationId: 'createItem',
          summary: 'Create an item',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { name: { type: 'string' }, count: { type: 'integer' } },
                  required: ['name'],
                },
              },
            },
          },
          responses: { '201': { description: 'created' } },
        },
      },
      '/reports/{itemId}': {
        get: {
          operationId: 'getReport',
          summary: 'A ~130 KB JSON report (its records, and the API key the request carried)',
          parameters: [itemId],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  };
}
