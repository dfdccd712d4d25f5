// Generates the scale workspace: CONNECTORS × ACTIONS HTTP actions across CUSTOMERS customers.

const VERBS = ['list', 'get', 'create', 'update', 'delete', 'search', 'archive', 'export', 'sync', 'send'];
const NOUNS = [
  'contact',
  'deal',
  'invoice',
  'ticket',
  'message',
  'channel',
  'issue',
  'file',
  'event',
  'order',
  'product',
  'payment',
  'subscription',
  'report',
  'comment',
  'project',
  'task',
  'user',
  'team',
  'webhook',
  'calendar',
  'note',
  'lead',
  'campaign',
  'repository',
  'branch',
  'page',
  'record',
  'table',
  'folder',
];
const SYSTEMS = [
  'crm',
  'billing',
  'helpdesk',
  'chat',
  'tracker',
  'storage',
  'calendar',
  'shop',
  'mail',
  'wiki',
  'analytics',
  'hr',
  'docs',
  'git',
  'forms',
  'ads',
  'erp',
  'sign',
  'dns',
  'pager',
];

export interface GeneratedAction {
  name: string;
  description: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  inputSchema: Record<string, unknown>;
  params: { name: string; in: 'path' | 'query' }[];
}

export function connectorSlug(c: number): string {
  return `${SYSTEMS[c % SYSTEMS.length]}${String(c).padStart(3, '0')}`;
}

export function generateActions(c: number, count: number): GeneratedAction[] {
  const system = SYSTEMS[c % SYSTEMS.length] as string;
  const out: GeneratedAction[] = [];
  for (let a = 0; a < count; a += 1) {
    const verb = VERBS[a % VERBS.length] as string;
    const noun = NOUNS[(a * 7 + c) % NOUNS.length] as string;
    const name = `${verb}_${noun}_${a}`;
    const method =
      verb === 'delete' ? 'DELETE' : verb === 'get' || verb === 'list' || verb === 'search' ? 'GET' : 'POST';
    out.push({
      name,
      description: `${verb[0]?.toUpperCase()}${verb.slice(1)} a ${noun} in the ${system} system (${connectorSlug(c)}). Returns the ${noun} record with its id, owner and timestamps; fails when the ${noun} does not exist.`,
      method,
      path: `/items/${noun}-${a}`,
      inputSchema: {
        type: 'object',
        properties: {
          [`${noun}_id`]: { type: 'string', description: `The ${noun}'s id.` },
          limit: { type: 'integer', minimum: 1, maximum: 100, description: 'How many results.' },
          cursor: { type: 'string', description: 'A cursor from a previous page.' },
        },
        required: method === 'GET' && verb !== 'list' && verb !== 'search' ? [`${noun}_id`] : [],
      },
      params: [
        { name: 'limit', in: 'query' },
        { name: 'cursor', in: 'query' },
      ],
    });
  }
  return out;
}

/** The tools a customer exposed to everything would list, in the shape an MCP server sends. */
export function generatedToolList(connectors: number, actions: number) {
  const tools: Record<string, unknown>[] = [];
  for (let c = 0; c < connectors; c += 1) {
    for (const a of generateActions(c, actions)) {
      tools.push({
        name: `${connectorSlug(c)}__${a.name}`,
        description: a.description,
        inputSchema: a.inputSchema,
        annotations:
          a.method === 'GET'
            ? { readOnlyHint: true }
            : a.method === 'DELETE'
              ? { destructiveHint: true }
              : {},
      });
    }
  }
  return tools;
}
