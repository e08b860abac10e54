import { describe, expect, it } from 'vitest';
import type { SubscriptionPayload } from '../../../local/contracts.js';
import { type TestClient, connectAndInit, serversPerTest, startMessage } from '../../support/realtime-server.js';

const servers = serversPerTest();

describe('given 1,000 subscribers on 10 connections', () => {
  it('when one payload is delivered to all, then every subscriber gets it and it is serialized once', async () => {
    const server = await servers.start();
    const clients: TestClient[] = [];
    for (let c = 0; c < 10; c += 1) {
      const client = await connectAndInit(server.port);
      for (let s = 0; s < 100; s += 1) client.send(startMessage(`c${c}-s${s}`));
      clients.push(client);
    }
    await server.engine.waitForSubscriptions(1_000);
    for (const client of clients) {
      for (let s = 0; s < 100; s += 1) expect((await client.nextNonKa()).type).toBe('start_ack');
    }
    let serializations = 0;
    const payload: SubscriptionPayload & { toJSON(): unknown } = {
      data: { onCreateItem: { id: '1', name: 'fan-out' } },
      toJSON() {
        serializations += 1;
        return { data: this.data };
      },
    };

    server.engine.publish(payload);

    for (const [c, client] of clients.entries()) {
      const ids = new Set<unknown>();
      for (let s = 0; s < 100; s += 1) {
        const message = await client.nextNonKa();
        expect(message).toMatchObject({ type: 'data', payload: { data: { onCreateItem: { id: '1' } } } });
        ids.add(message['id']);
      }
      expect(ids.size).toBe(100);
      expect(ids.has(`c${c}-s0`)).toBe(true);
    }
    expect(serializations).toBe(1);
    for (const client of clients) client.close();
  });
});
