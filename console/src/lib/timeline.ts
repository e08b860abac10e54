/**
 * Live events merged with what a query returned: each event shown once (a reconnect or a second
 * source may deliver it again), in the order of its time, not of arrival (the fan-out's
 * subscribers run in parallel, so steps can arrive out of order).
 */
export interface TimedEvent {
  readonly status: string;
  readonly step: string;
  readonly message?: string | null;
  readonly at: string;
}

export const eventKey = (event: TimedEvent): string => `${event.at}|${event.status}|${event.step}`;

export function mergeEvents<E extends TimedEvent>(known: readonly E[], arriving: readonly E[]): E[] {
  const byKey = new Map(known.map((e) => [eventKey(e), e]));
  for (const event of arriving) if (!byKey.has(eventKey(event))) byKey.set(eventKey(event), event);
  return [...byKey.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || eventKey(a).localeCompare(eventKey(b)));
}

export const timeOf = (iso: string): string => {
  const date = new Date(iso);
  return `${date.toLocaleTimeString(undefined, { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
};

/**
 * A Performance mark once an arriving event has been painted (the frame after the one its state
 * update renders in): `npm run bench` compares it with the event's `at`, the stack's send time.
 */
export function shownMark(detail: { id: string; status: string; step: string; at: string }): void {
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('console:event-shown', { detail })));
}
