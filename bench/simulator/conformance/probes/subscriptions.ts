/** Subscription rows (test/conformance/subscriptions.test.ts). */
import { type Endpoint, RealtimeSocket, type ServerMessage, graphql, sleep } from '../client.js';
import { type Probe, short, unique } from '../probe.js';

const settle = (ms = 800) => sleep(ms);

/** A start's answer: `start_ack`, or the error's type and the first line of its message. */
const answerOf = (answer: ServerMessage) => {
  const error = (answer.payload?.['errors'] as { errorType?: string; message?: string }[] | undefined)?.[0];
  return error ? `${answer.type} ${error.errorType ?? ''} "${short(error.message?.split('\n')[0], 90)}"` : answer.type;
};

async function withSocket<T>(endpoint: Endpoint, use: (socket: RealtimeSocket) => Promise<T>): Promise<T> {
  const socket = await RealtimeSocket.connect(endpoint);
  try {
    return await use(socket);
  } finally {
    socket.close();
  }
}

const channels = (socket: RealtimeSocket, id: string) =>
  socket.data(id).map((d) => {
    const data = (d['data'] ?? {}) as Record<string, { channel?: string; kind?: string | null } | null>;
    const message = Object.values(data)[0];
    return `${message?.channel ?? '?'}${message && 'kind' in message ? `/${message.kind ?? 'null'}` : ''}`;
  });

export const subscriptionProbes: Probe[] = [
  {
    id: 'subscriptions.selection',
    behaviour: "subscriber gets the mutation's selection",
    run: ({ endpoint }) =>
      withSocket(endpoint, async (socket) => {
        const channel = unique('sel');
        await socket.start('s1', 'subscription S($channel: String) { onMessage(channel: $channel) { channel body required } }', { channel });
        await graphql(endpoint, 'mutation P($channel: String!) { publish(channel: $channel, body: "unselected") { channel } }', { channel });
        const data = await socket.until(() => socket.data('s1')[0], 3_000, 'data');
        return `mutation selects only channel; subscriber gets ${short(data)}: the full resolver result, under the subscriber's selection`;
      }),
  },
  {
    id: 'subscriptions.argumentFilters',
    behaviour: 'argument filters: omitted = none, explicit null = only null',
    run: ({ endpoint }) =>
      withSocket(endpoint, async (socket) => {
        const channel = unique('arg');
        const other = unique('other');
        const fields = '{ channel kind }';
        await socket.start('literal', `subscription { onMessage(channel: "${channel}") ${fields} }`);
        await socket.start('variable', `subscription S($channel: String) { onMessage(channel: $channel) ${fields} }`, { channel });
        await socket.start('nullKind', `subscription S($channel: String, $kind: String) { onMessage(channel: $channel, kind: $kind) ${fields} }`, {
          channel,
          kind: null,
        });
        await socket.start('nullLiteral', `subscription { onMessage(channel: "${channel}", kind: null) ${fields} }`);
        await socket.start('none', `subscription { onMessage ${fields} }`);
        const publish = 'mutation P($channel: String!, $kind: String) { publish(channel: $channel, kind: $kind) { channel kind } }';
        await graphql(endpoint, publish, { channel, kind: 'k' });
        await graphql(endpoint, publish, { channel });
        await graphql(endpoint, publish, { channel: other, kind: 'k' });
        await settle();
        const got = (id: string) =>
          `[${channels(socket, id)
            .map((c) => c.replace(channel, 'A').replace(other, 'B'))
            .join(' ')}]`;
        return `events A/k, A/(kind omitted), B/k → literal channel:"A" got ${got('literal')}; $channel="A" got ${got('variable')}; $kind=null got ${got(
          'nullKind',
        )}; literal kind:null got ${got('nullLiteral')}; no arguments got ${got('none')}`;
      }),
  },
  {
    id: 'subscriptions.enhancedFilters',
    behaviour: 'enhanced filters',
    run: ({ endpoint }) =>
      withSocket(endpoint, async (socket) => {
        const channel = unique('enh');
        const filter = JSON.stringify({ channel: { eq: channel }, priority: { gt: 5 } });
        const ack = await socket.start('f1', 'subscription F($filter: AWSJSON!) { onFiltered(filter: $filter) { channel priority } }', { filter });
        const publish = 'mutation P($channel: String!, $priority: Int) { publish(channel: $channel, priority: $priority) { channel priority } }';
        await graphql(endpoint, publish, { channel, priority: 9 });
        await graphql(endpoint, publish, { channel, priority: 1 });
        await graphql(endpoint, publish, { channel: 'elsewhere', priority: 9 });
        await settle();
        // VTL's $extensions.setSubscriptionFilter, in the subscription resolver's response template.
        return `start with a filter {channel eq, priority gt 5}: ${answerOf(ack)} (no $extensions in its VTL); of 3 events (1 matching) it delivered ${
          socket.data('f1').length
        }`;
      }),
  },
  {
    id: 'subscriptions.errorsBroadcast',
    behaviour: 'data with errors still broadcast; no replay',
    run: ({ endpoint }) =>
      withSocket(endpoint, async (socket) => {
        const channel = unique('err');
        await socket.start('e1', 'subscription S($channel: String) { onMessage(channel: $channel) { channel } }', { channel });
        const mutation = await graphql(endpoint, 'mutation P($channel: String!) { publishWithError(channel: $channel) { channel } }', { channel });
        await settle();
        await socket.start('late', 'subscription S($channel: String) { onMessage(channel: $channel) { channel } }', { channel });
        await settle(500);
        return `mutation answered data + ${mutation.body.errors?.length ?? 0} error(s); subscriber got ${
          socket.data('e1').length
        } event(s); a subscriber started afterwards got ${socket.data('late').length} (no replay)`;
      }),
  },
  {
    id: 'subscriptions.invalidation',
    behaviour: 'invalidation',
    run: ({ endpoint }) =>
      withSocket(endpoint, async (socket) => {
        const channel = unique('inv');
        // The fixture's onChannel sets an invalidation filter in its resolver; onMessage has none,
        // so it shows whether `invalidate` closes anything when the subscription itself runs.
        const withFilter = await socket.start('i1', 'subscription S($channel: String!) { onChannel(channel: $channel) { channel } }', { channel });
        await socket.start('i2', 'subscription S($channel: String) { onMessage(channel: $channel) { channel } }', { channel });
        const mutation = await graphql(endpoint, 'mutation I($channel: String!) { invalidate(channel: $channel) { channel } }', { channel });
        const complete = await socket.next((m) => (m.id === 'i1' || m.id === 'i2') && m.type === 'complete', 1_500).catch(() => undefined);
        const error = mutation.body.errors?.[0];
        return `onChannel start (invalidation filter in its VTL): ${answerOf(withFilter)}; invalidate (invalidateSubscriptions in its VTL): ${
          error ? `${String(error['errorType'])} "${short(String(error['message']).split('\n')[0], 70)}"` : short(mutation.body.data)
        }; ${complete ? 'a complete was sent' : 'no complete for any subscription'}`;
      }),
  },
];
