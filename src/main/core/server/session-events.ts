// Team mode: MCP resumability (Streamable HTTP's `Last-Event-ID`) for sessions that any replica
// may serve. The SDK's transport asks an event store for an id per message it sends and, when a
// client reconnects with the last id it saw, for the messages after it.
//
// - The standalone GET stream (list_changed, resources/updated, logs) is kept in the database, so
//   a client whose GET stream was cut reconnects through any replica and misses nothing sent
//   meanwhile (ids `g<row id>`; kept KEEP_MS).
// - A POST's response stream stays in this replica's memory (no database write per call). Its ids
//   name this replica and the stream's requests (`p~replica~stream~seq~ids`): a client whose stream
//   was cut resumes it — here, it gets what it missed and the answer when it comes; on another
//   replica (this one died), an error for each of its requests saying so, rather than a call that
//   hangs until the client's timeout.
import { randomUUID } from 'node:crypto';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type {
  EventId,
  EventStore,
  StreamId,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Database } from '../store/database';

/** The SDK's name for the standalone GET stream. */
const GET_STREAM = '_GET_stream';
/** How long GET-stream events are kept for a reconnecting client. */
const KEEP_MS = 5 * 60_000;
/** Most events replayed at once (a client that missed more re-lists anyway). */
const REPLAY_MOST = 1000;
/** How long a finished POST stream stays resumable here. */
const POST_KEEP_MS = 60_000;
/** Most events kept per POST stream (progress floods keep the last ones). */
const POST_MOST = 200;

export const REPLICA_GONE =
  'The Portico server running this call stopped (or could not be reached) before it answered; ' +
  'it may or may not have taken effect upstream. Retry it if that is safe: the session goes on.';

interface PostStream {
  ids: RequestId[];
  events: { seq: number; message: JSONRPCMessage }[];
  seq: number;
  timer?: NodeJS.Timeout;
}

interface Queued {
  sessionId: string;
  message: string;
  resolve(id: number): void;
  reject(error: unknown): void;
}

/** Most events written by one statement. */
const BATCH_MOST = 500;

/**
 * One replica's event stores, one per session; prunes old GET-stream events. A change heard by many
 * sessions at once (list_changed to each) is written as one statement, not one per session.
 */
export class SessionEvents {
  /** This process, in the ids of its POST streams' events. */
  readonly replica = randomUUID().slice(0, 8);
  #timer: NodeJS.Timeout | undefined;
  #queue: Queued[] = [];

  constructor(
    private readonly database: Database,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.prune(), 60_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async prune(now = Date.now()): Promise<void> {
    await this.database.db
      .deleteFrom('mcp_events')
      .where('created_at', '<', now - KEEP_MS)
      .execute()
      .catch((error: unknown) =>
        this.log(`Pruning MCP session events failed: ${error instanceof Error ? error.message : error}`),
      );
  }

  /** The event store of one session's transport (`attach` it once the transport exists). */
  forSession(sessionId: string): SessionEventStore {
    return new SessionEventStore(this, this.database, sessionId, this.replica, this.log);
  }

  /** Keeps a GET-stream event; resolves with its row id. Events of one tick share one INSERT. */
  keep(sessionId: string, message: string): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#queue.push({ sessionId, message, resolve, reject }) === 1)
        setImmediate(() => void this.#write());
    });
  }

  async #write(): Promise<void> {
    const batch = this.#queue.splice(0, BATCH_MOST);
    if (this.#queue.length) setImmediate(() => void this.#write());
    const now = Date.now();
    try {
      const rows = await this.database.db
        .insertInto('mcp_events')
        .values(
          batch.map((q) => ({
            session_id: q.sessionId,
            stream_id: GET_STREAM,
            message: q.message,
            created_at: now,
          })),
        )
        .returning('id')
        .execute();
      // Ids are drawn in the order of the rows, so the i-th smallest is the i-th event.
      const ids = rows.map((r) => Number(r.id)).sort((x, y) => x - y);
      batch.forEach((q, i) => {
        const id = ids[i];
        if (id === undefined) q.reject(new Error('the event was not kept'));
        else q.resolve(id);
      });
    } catch (error) {
      for (const q of batch) q.reject(error);
    }
  }
}

export class SessionEventStore implements EventStore {
  readonly #posts = new Map<StreamId, PostStream>();
  #requests: Map<RequestId, StreamId> | undefined;

  constructor(
    private readonly events: SessionEvents,
    private readonly database: Database,
    private readonly sessionId: string,
    private readonly replica: string,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * The transport whose events these are: which requests a POST stream answers is read from it
   * (the SDK keeps that in a private field; checked, so an SDK that moves it fails in the tests).
   */
  attach(transport: StreamableHTTPServerTransport): void {
    const web = (transport as unknown as { _webStandardTransport?: { _requestToStreamMapping?: unknown } })
      ._webStandardTransport;
    if (!(web?._requestToStreamMapping instanceof Map))
      throw new Error('this MCP SDK version hides its request streams; sessions cannot be resumed');
    this.#requests = web._requestToStreamMapping as Map<RequestId, StreamId>;
  }

  /** The session ended here: its POST streams are forgotten. */
  close(): void {
    for (const stream of this.#posts.values()) clearTimeout(stream.timer);
    this.#posts.clear();
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    if (streamId === GET_STREAM) return this.#storeShared(message);
    let stream = this.#posts.get(streamId);
    if (!stream) {
      const ids = [...(this.#requests ?? [])].filter(([, s]) => s === streamId).map(([id]) => id);
      stream = { ids, events: [], seq: 0 };
      this.#posts.set(streamId, stream);
    }
    stream.seq += 1;
    if ('method' in message || 'id' in message) {
      stream.events.push({ seq: stream.seq, message });
      if (stream.events.length > POST_MOST) stream.events.shift();
    }
    if (('result' in message || 'error' in message) && !stream.timer) {
      // Answered: resumable a little longer (a client cut just before reading it), then forgotten.
      stream.timer = setTimeout(() => this.#posts.delete(streamId), POST_KEEP_MS);
      stream.timer.unref();
    }
    return postEventId(this.replica, streamId, stream.seq, stream.ids);
  }

  async #storeShared(message: JSONRPCMessage): Promise<EventId> {
    try {
      return `g${await this.events.keep(this.sessionId, JSON.stringify(message))}`;
    } catch (error) {
      // Sent anyway, just not resumable (the SDK writes no id for an undefined one).
      this.log(`Keeping an MCP session event failed: ${error instanceof Error ? error.message : error}`);
      return undefined as unknown as EventId;
    }
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    if (/^g\d{1,15}$/.test(eventId)) return GET_STREAM;
    return parsePostEventId(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    if (/^g\d{1,15}$/.test(lastEventId)) {
      const rows = await this.database.db
        .selectFrom('mcp_events')
        .select(['id', 'message'])
        .where('session_id', '=', this.sessionId)
        .where('stream_id', '=', GET_STREAM)
        .where('id', '>', Number(lastEventId.slice(1)))
        .orderBy('id')
        .limit(REPLAY_MOST)
        .execute();
      for (const row of rows) await send(`g${row.id}`, JSON.parse(row.message) as JSONRPCMessage);
      return GET_STREAM;
    }
    const parsed = parsePostEventId(lastEventId);
    if (!parsed) throw new Error('Invalid event ID format');
    const { replica, streamId, seq, ids } = parsed;
    const stream = replica === this.replica ? this.#posts.get(streamId) : undefined;
    if (stream) {
      for (const event of stream.events)
        if (event.seq > seq) await send(postEventId(this.replica, streamId, event.seq, ids), event.message);
      return streamId;
    }
    // The stream's replica is gone (or this one restarted): its calls will never be answered here.
    if (seq >= 0)
      for (const id of ids)
        await send(postEventId(this.replica, streamId, -1, ids), {
          jsonrpc: '2.0',
          id,
          error: { code: -32000, message: REPLICA_GONE },
        });
    return streamId;
  }
}

/** `p~replica~stream~seq~ids`; seq -1 marks the errors a stream that can't be resumed ended with. */
function postEventId(replica: string, streamId: StreamId, seq: number, ids: RequestId[]): EventId {
  return `p~${replica}~${streamId}~${seq}~${encodeURIComponent(JSON.stringify(ids))}`;
}

function parsePostEventId(
  eventId: EventId,
): { replica: string; streamId: StreamId; seq: number; ids: RequestId[] } | undefined {
  const parts = eventId.split('~');
  if (parts.length !== 5 || parts[0] !== 'p') return undefined;
  const [, replica = '', streamId = '', seqText = '', idsText = ''] = parts;
  const seq = Number(seqText);
  if (!replica || !streamId || !Number.isSafeInteger(seq)) return undefined;
  let ids: unknown;
  try {
    ids = JSON.parse(decodeURIComponent(idsText));
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(ids) ||
    ids.length > 100 ||
    !ids.every((id) => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))
  )
    return undefined;
  return { replica, streamId, seq, ids };
}
