import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type Credentials, apiKey, graphql } from './http.js';

/** The fixture's operations the suite sends, and helpers that fail the test when a step fails. */

export const MESSAGE_FIELDS = 'channel kind priority tags body nested { label inner { label inner { label } } } required';

export const PUBLISH = `mutation Publish($channel: String!, $kind: String, $priority: Int, $tags: [String], $body: String, $nested: NestedInput) {
  publish(channel: $channel, kind: $kind, priority: $priority, tags: $tags, body: $body, nested: $nested) { ${MESSAGE_FIELDS} }
}`;

export const ON_MESSAGE = `subscription OnMessage($channel: String, $kind: String, $priority: Int) {
  onMessage(channel: $channel, kind: $kind, priority: $priority) { channel kind priority body }
}`;

export const ON_FILTERED = `subscription OnFiltered($filter: AWSJSON!, $channel: String) {
  onFiltered(filter: $filter, channel: $channel) { channel kind priority tags body }
}`;

export const ON_CHANNEL = `subscription OnChannel($channel: String!) { onChannel(channel: $channel) { channel body } }`;

export const ON_USER_MESSAGE = `subscription OnUserMessage($channel: String) { onUserMessage(channel: $channel) { channel body } }`;

export interface Message {
  readonly channel: string;
  readonly kind?: string | null;
  readonly priority?: number | null;
  readonly tags?: (string | null)[] | null;
  readonly body?: string | null;
  readonly nested?: unknown;
  readonly required?: string;
}

/** A channel name no other test uses. */
export const channel = (label = 'c') => `${label}-${randomUUID()}`;

/** Publishes through the API (as any client would); fails the test if the mutation fails. */
export async function publish(
  variables: { channel: string; kind?: string | null; priority?: number | null; tags?: string[] | null; body?: string; nested?: unknown },
  credentials: Credentials = apiKey(),
  query = PUBLISH,
): Promise<Message> {
  const response = await graphql<{ publish: Message }>(credentials, query, variables);
  expect(response.errors).toBeUndefined();
  expect(response.data?.publish).toBeTruthy();
  return response.data!.publish;
}
