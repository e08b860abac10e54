import { type TimedEvent, eventKey, timeOf } from '../lib/timeline.ts';

/** A file's or an order's steps as they arrived: time, step, status and what the step said. */
export function Steps({ label, events }: { label: string; events: readonly TimedEvent[] }) {
  return (
    <ol className="steps" aria-label={label}>
      {events.map((event) => (
        <li key={eventKey(event)} data-step={event.step} data-status={event.status}>
          <time dateTime={event.at}>{timeOf(event.at)}</time> {event.step} {event.status}
          {event.message ? `: ${event.message}` : ''}
        </li>
      ))}
    </ol>
  );
}
