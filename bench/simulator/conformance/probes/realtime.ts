/** Real-time protocol rows (test/conformance/realtime-protocol.test.ts). */
import { type Credentials, type Endpoint, type HandshakeForm, RealtimeSocket, apiKey, graphql, sleep, token, userPoolToken } from '../client.js';
import { API_KEY } from '../config.js';
import { type Probe, short, unique } from '../probe.js';

const ON_MESSAGE = 'subscription S($channel: String) { onMessage(channel: $channel) { channel body } }';
const PUBLISH = 'mutation P($channel: String!, $body: String) { publish(channel: $channel, body: $body) { channel body } }';

export const publish = (endpoint: Endpoint, channel: string, body = 'hello') => graphql(endpoint, PUBLISH, { channel, body });

/** What a handshake in `form` leads to: the ack, a connection_error, or a close. */
async function handshake(endpoint: Endpoint, form: HandshakeForm, header?: Record<string, string>, credentials: Credentials = apiKey()): Promise<string> {
  let socket: RealtimeSocket;
  try {
    socket = await RealtimeSocket.open(endpoint, credentials, { form, ...(header ? { header } : {}) });
  } catch (error) {
    return `upgrade failed: ${(error as Error).message}`;
  }
  try {
    // The simulator may close right after the upgrade, before any message.
    await sleep(100);
    const early = socket.closedWith;
    if (early) return `closed ${early.code} right after the upgrade, before connection_init`;
    const answer = await socket.init(3_000).catch(() => undefined);
    if (answer?.type === 'connection_ack') return `connection_ack ${short(answer.payload)}`;
    if (answer) return `${answer.type} ${short(answer.payload)}`;
    const late = socket.closedWith as { code: number } | undefined;
    return late ? `closed ${late.code} after connection_init` : 'no answer to connection_init in 3 s';
  } finally {
    socket.close();
  }
}

/** Starts onMessage on `channel` on `socket`, publishes, and says whether the event arrived. */
async function delivered(endpoint: Endpoint, socket: RealtimeSocket, id: string, channel: string, waitMs = 1_500): Promise<boolean> {
  await publish(endpoint, channel);
  try {
    await socket.until(() => socket.data(id).find((d) => JSON.stringify(d).includes(channel)), waitMs, 'data');
    return true;
  } catch {
    return false;
  }
}

export const realtimeProbes: Probe[] = [
  {
    id: 'realtime.subprotocol',
    behaviour: 'handshake in a `header-<base64url>` subprotocol',
    run: ({ endpoint }) => handshake(endpoint, 'subprotocol'),
  },
  {
    id: 'realtime.query',
    behaviour: 'handshake in `?header=…&payload=…`',
    run: ({ endpoint }) => handshake(endpoint, 'query'),
  },
  {
    id: 'realtime.headers',
    behaviour: 'handshake in plain HTTP headers',
    run: ({ endpoint }) => handshake(endpoint, 'headers'),
  },
  {
    id: 'realtime.host',
    behaviour: '`host` in the handshake checked',
    run: async ({ endpoint }) => {
      const answer = await handshake(endpoint, 'query', { host: 'another-api.example.com', 'x-api-key': API_KEY });
      return `wrong host: ${answer}`;
    },
  },
  {
    id: 'realtime.ack',
    behaviour: '`connection_ack` payload',
    run: async ({ endpoint }) => handshake(endpoint, 'query'),
  },
  {
    id: 'realtime.ka',
    behaviour: '`ka` right after the ack, then about once a minute',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const acked = Date.now();
        await sleep(3_000);
        const ka = socket.messages.filter((m) => m.type === 'ka').length;
        return ka === 0
          ? `no ka in the ${Math.round((Date.now() - acked) / 1000)} s after the ack (interval not waited for)`
          : `${ka} ka in the 3 s after the ack`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.start',
    behaviour: '`start` → `start_ack` → `data`',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const channel = unique('start');
        const ack = await socket.start('s1', ON_MESSAGE, { channel });
        if (ack.type !== 'start_ack') return `start answered ${ack.type} ${short(ack.payload)}`;
        const got = await delivered(endpoint, socket, 's1', channel);
        const order = socket.messages.filter((m) => m.id === 's1').map((m) => m.type);
        return got ? `start_ack ${short(ack.payload)}, then data ${short(socket.data('s1')[0])}; order ${order.join(' → ')}` : 'start_ack but no data';
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.stop',
    behaviour: '`stop` → `complete`, nothing after',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const channel = unique('stop');
        await socket.start('s1', ON_MESSAGE, { channel });
        socket.send({ id: 's1', type: 'stop' });
        const complete = await socket.next((m) => m.id === 's1' && m.type === 'complete', 2_000).catch(() => undefined);
        const after = await delivered(endpoint, socket, 's1', channel, 800);
        return `${complete ? `complete ${short(complete.payload)}` : 'no complete in 2 s'}; ${after ? 'data still arrives after it' : 'no data after it'}`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.duplicate',
    behaviour: 'duplicate subscription id',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        // The simulator applies no argument filter, so the two subscriptions are told apart by
        // an alias in their selection, not by their channel.
        const channel = unique('dup');
        await socket.start('dup', 'subscription S($channel: String) { onMessage(channel: $channel) { first: channel } }', { channel });
        socket.messages.length = 0;
        const answer = await socket.start('dup', 'subscription S($channel: String) { onMessage(channel: $channel) { second: channel } }', { channel });
        await publish(endpoint, channel);
        await sleep(1_000);
        const shapes = socket.data('dup').map((d) => Object.keys(((d['data'] ?? {}) as { onMessage?: object }).onMessage ?? {}).join());
        const outcome =
          shapes.includes('first') && shapes.includes('second')
            ? 'both subscriptions then deliver under that id'
            : shapes.includes('second')
            ? 'only the second delivers: the first is replaced'
            : shapes.includes('first')
            ? 'only the first delivers'
            : 'neither delivers';
        return `second start: ${answer.type}${answer.type === 'error' ? ` ${short(answer.payload)}` : ', no error'}; one event → ${
          shapes.length
        } data message(s); ${outcome}`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.unknown',
    behaviour: 'unknown message type',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        socket.send({ id: 'u1', type: 'subscribe_please' });
        const answer = await socket.next((m) => m.type === 'error' || m.type === 'connection_error', 2_000).catch(() => undefined);
        await sleep(200);
        return `${answer ? `${answer.type} id ${JSON.stringify(answer.id)} ${short(answer.payload)}` : 'no answer in 2 s'}; connection ${
          socket.closedWith ? `closed ${socket.closedWith.code}` : 'stays'
        }`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.startBeforeInit',
    behaviour: '`start` before `connection_init`',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.open(endpoint, apiKey());
      try {
        const answer = await socket.start('early', ON_MESSAGE, { channel: unique('early') }).catch(() => undefined);
        return answer
          ? `${answer.type} ${short(answer.payload)}${answer.type === 'start_ack' ? ': the subscription runs without an init' : ''}`
          : `no answer (${socket.closedWith ? `closed ${socket.closedWith.code}` : 'open'})`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.noInit',
    behaviour: 'no `connection_init`',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.open(endpoint, apiKey());
      try {
        const closed = await socket.closedWithin(6_000);
        return closed
          ? `closed ${closed.code} ${closed.reason}`
          : `still open 6 s after the upgrade with no connection_init; ${socket.messages.length} messages`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.maxSubscriptions',
    behaviour: 'subscriptions per connection',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const answers: string[] = [];
        for (let i = 0; i < 120; i++) answers.push((await socket.start(`m${i}`, ON_MESSAGE, { channel: `max-${i}` })).type);
        const acks = answers.filter((a) => a === 'start_ack').length;
        const firstError = socket.messages.find((m) => m.type === 'error');
        return `${acks} of 120 starts acknowledged${firstError ? `; first error ${short(firstError.payload)}` : '; no error'}`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.perStartAuth',
    behaviour: 'each `start` authorized by its own `extensions.authorization`',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint, apiKey());
      try {
        const query = 'subscription U($channel: String) { onUserMessage(channel: $channel) { channel } }';
        const channel = unique('user');
        const withKey = await socket.start('k1', query, { channel }, apiKey());
        const withToken = await socket.start('t1', query, { channel }, token(userPoolToken('alice')));
        const got = withToken.type === 'start_ack' ? await delivered(endpoint, socket, 't1', channel) : false;
        const keyError = (withKey.payload?.['errors'] as { errorType?: string; message?: string }[] | undefined)?.[0];
        return `on an API-key connection, a user-pools-only subscription: started with the API key → ${withKey.type}${
          keyError ? ` ${keyError.errorType}: ${keyError.message}` : ''
        }; started with a user-pool token → ${withToken.type}${got ? ', data delivered' : ''}`;
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.payload240',
    behaviour: 'payload over 240 KB',
    run: async ({ endpoint }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        const channel = unique('big');
        await socket.start('b1', ON_MESSAGE, { channel });
        const body = 'x'.repeat(250 * 1024);
        await publish(endpoint, channel, body);
        const big = await socket.until(() => socket.data('b1')[0], 3_000, 'data').catch(() => undefined);
        await publish(endpoint, channel, 'small');
        await socket.until(() => (socket.data('b1').length >= (big ? 2 : 1) ? true : undefined), 2_000, 'data').catch(() => undefined);
        return big ? `delivered (${Math.round(JSON.stringify(big).length / 1024)} KB data message); the next event too` : 'not delivered';
      } finally {
        socket.close();
      }
    },
  },
  {
    id: 'realtime.nonJson',
    behaviour: 'a frame that is not JSON',
    run: async ({ endpoint, simulatorExited, simulatorError }) => {
      const socket = await RealtimeSocket.connect(endpoint);
      try {
        socket.send('this is not json');
        const answer = await socket.next((m) => m.type === 'error', 2_000).catch(() => undefined);
        await sleep(500);
        if (simulatorExited()) return `the simulator process exits: ${short(simulatorError()?.trim() ?? 'no error logged', 100)}`;
        return `${answer ? `error ${short(answer.payload)}` : 'no answer'}; connection ${socket.closedWith ? `closed ${socket.closedWith.code}` : 'stays'}`;
      } finally {
        socket.close();
      }
    },
  },
];
