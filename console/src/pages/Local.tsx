import { useCallback, useEffect, useState } from 'react';
import type { ConsoleConfig } from '../lib/config.ts';
import { localApi } from '../lib/local-api.ts';
import { TableHead } from './TableHead.tsx';
import { ActionButton } from './ActionButton.tsx';

interface Queue {
  readonly name: string;
  readonly sources: readonly string[];
  readonly visible: number;
  readonly inFlight: number;
}
interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate?: string;
  readonly stopDate?: string;
}
interface Machine {
  readonly name: string;
  readonly arn: string;
  readonly executions: readonly Execution[];
}
interface HistoryEvent {
  readonly id: number;
  readonly type: string;
  readonly timestamp?: string;
  readonly name?: string;
}

/** The local stack's operator views: dead letters with a redrive, executions with their history. */
export default function Local(_: { config: ConsoleConfig }) {
  const [queues, setQueues] = useState<readonly Queue[]>();
  const [machines, setMachines] = useState<readonly Machine[]>();
  const [history, setHistory] = useState<{ execution: Execution; events: readonly HistoryEvent[] }>();
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [q, m] = await Promise.all([
        localApi<{ queues: Queue[] }>('GET', '/_local/dead-letter-queues'),
        localApi<{ stateMachines: Machine[] }>('GET', '/_local/executions'),
      ]);
      setQueues(q.queues);
      setMachines(m.stateMachines);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const redrive = async (queue: Queue) => {
    try {
      const { tasks } = await localApi<{ tasks: { queue: string }[] }>('POST', '/_local/dead-letter-queues/redrive', { queue: queue.name });
      setNote(tasks.length === 0 ? `${queue.name}: nothing to redrive` : `${queue.name}: redrive started`);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const open = async (execution: Execution) => {
    try {
      const { events } = await localApi<{ events: HistoryEvent[] }>('GET', `/_local/executions/history?arn=${encodeURIComponent(execution.arn)}`);
      setHistory({ execution, events });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <>
      <p>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {note && <p role="status">{note}</p>}
      <section aria-labelledby="dlq-heading">
        <h2 id="dlq-heading">Dead-letter queues</h2>
        <table>
          <TableHead columns={['Queue', 'Dead letters of', 'Visible', 'In flight']} action="Redrive" />
          <tbody>
            {(queues ?? []).map((q) => (
              <tr key={q.name} data-queue={q.name}>
                <th scope="row">{q.name}</th>
                <td>{q.sources.join(', ')}</td>
                <td>{q.visible}</td>
                <td>{q.inFlight}</td>
                <td>
                  <ActionButton verb="Redrive" subject={q.name} disabled={q.visible + q.inFlight === 0} onClick={() => void redrive(q)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="sfn-heading">
        <h2 id="sfn-heading">Step Functions executions</h2>
        {(machines ?? []).map((machine) => (
          <div key={machine.arn}>
            <h3>{machine.name}</h3>
            {machine.executions.length === 0 ? (
              <p>No executions yet.</p>
            ) : (
              <ul className="executions">
                {machine.executions.map((e) => (
                  <li key={e.arn}>
                    <button type="button" onClick={() => void open(e)}>
                      {e.name}
                    </button>{' '}
                    <span className="status">{e.status}</span> {e.startDate}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
        {history && (
          <div aria-live="polite">
            <h3>History of {history.execution.name}</h3>
            <ol className="history">
              {history.events.map((event) => (
                <li key={event.id}>
                  <time dateTime={event.timestamp}>{event.timestamp}</time> {event.type}
                  {event.name ? ` ${event.name}` : ''}
                </li>
              ))}
            </ol>
          </div>
        )}
      </section>
    </>
  );
}
