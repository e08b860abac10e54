import { useCallback, useEffect, useRef, useState } from 'react';
import {
  CreateUploadDocument,
  DeleteFileDocument,
  FileDocument,
  type FileFieldsFragment,
  FilesDocument,
  OnFileEventDocument,
  type OnFileEventSubscription,
  ReprocessFileDocument,
  UploadPolicyDocument,
} from '../../../client/generated/operations.ts';
import { request, subscribe } from '../lib/api.ts';
import { onReconnect } from '../lib/connection.ts';
import { useSubscriptionAck } from '../lib/ack.ts';
import { mergeEvents, shownMark } from '../lib/timeline.ts';
import { FileCard, type Transfer } from './FileCard.tsx';
import { type Policy, putWithProgress, refusal } from './upload.ts';

export type FileEvent = NonNullable<OnFileEventSubscription['onFileEvent']>;

const PAGE_SIZE = 12;

export function Files() {
  const [policy, setPolicy] = useState<Policy>();
  const [files, setFiles] = useState<FileFieldsFragment[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [events, setEvents] = useState<Record<string, FileEvent[]>>({});
  const [transfers, setTransfers] = useState<Record<string, Transfer>>({});
  const [refused, setRefused] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const live = useSubscriptionAck('onFileEvent');
  const fileIds = useRef(new Set<string>());
  // Files deleted from this page: an answer that left the server before the delete (a refresh on
  // READY, a list after a reconnect) arrives after it and must not bring the card back.
  const deleted = useRef(new Set<string>());

  const upsert = useCallback((file: FileFieldsFragment) => {
    if (deleted.current.has(file.id)) return;
    fileIds.current.add(file.id);
    setFiles((current) => (current.some((f) => f.id === file.id) ? current.map((f) => (f.id === file.id ? file : f)) : [file, ...current]));
  }, []);

  const refresh = useCallback(
    async (id: string) => {
      const { file } = await request(FileDocument, { id });
      if (file) upsert(file);
    },
    [upsert],
  );

  const loadPage = useCallback(async (token: string | null) => {
    const { files: page } = await request(FilesDocument, { limit: PAGE_SIZE, nextToken: token });
    const items = page.items.filter((f) => !deleted.current.has(f.id));
    for (const f of items) fileIds.current.add(f.id);
    setFiles((current) => (token === null ? items : [...current, ...items.filter((f) => !current.some((c) => c.id === f.id))]));
    setNextToken(page.nextToken);
    setLoaded(true);
  }, []);

  useEffect(() => {
    request(UploadPolicyDocument, {}).then(({ uploadPolicy }) => setPolicy(uploadPolicy), (e: Error) => setError(e.message));
    loadPage(null).catch((e: Error) => setError(e.message));
  }, [loadPage]);

  // Marks for npm run bench (bench/sections/console.ts): the frame after the list is committed.
  useEffect(() => {
    if (loaded) requestAnimationFrame(() => performance.mark('console:files-painted'));
  }, [loaded]);

  // One subscription for all of the user's files: AppSync sends each owner only their own events.
  useEffect(() => {
    const subscription = subscribe(
      OnFileEventDocument,
      {},
      ({ onFileEvent: event }) => {
        if (!event) return;
        setEvents((current) => ({ ...current, [event.fileId]: mergeEvents(current[event.fileId] ?? [], [event]) }));
        shownMark({ id: event.fileId, status: event.status, step: event.step, at: event.at });
        if (event.status === 'READY' || event.status === 'FAILED' || !fileIds.current.has(event.fileId)) void refresh(event.fileId);
        else setFiles((current) => current.map((f) => (f.id === event.fileId ? { ...f, status: event.status } : f)));
      },
      (e) => setError(`Live updates: ${e.message}`),
    );
    // Back from a lost connection: what changed meanwhile comes from the list.
    const stop = onReconnect(() => void loadPage(null));
    return () => {
      subscription.unsubscribe();
      stop();
    };
  }, [refresh, loadPage]);

  const upload = useCallback(
    async (picked: readonly File[]) => {
      if (!policy) return;
      const reasons = picked.map((file) => refusal(file, policy));
      setRefused(reasons.filter((r): r is string => r !== undefined));
      await Promise.all(
        picked
          .filter((_, i) => reasons[i] === undefined)
          .map(async (file) => {
            const { createUpload: ticket } = await request(CreateUploadDocument, { input: { fileName: file.name, contentType: file.type, size: file.size } });
            upsert(ticket.file);
            const id = ticket.file.id;
            setTransfers((t) => ({ ...t, [id]: { sent: 0, total: file.size } }));
            try {
              const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
              await putWithProgress(ticket.uploadUrl, headers, file, (sent, total) => setTransfers((t) => ({ ...t, [id]: { sent, total } })));
            } catch (e) {
              setTransfers((t) => ({ ...t, [id]: { sent: 0, total: file.size, error: (e as Error).message } }));
            }
          }),
      ).catch((e: Error) => setError(e.message));
    },
    [policy, upsert],
  );

  const act = async (kind: 'reprocess' | 'delete', file: FileFieldsFragment) => {
    try {
      if (kind === 'reprocess') {
        setEvents((current) => ({ ...current, [file.id]: [] }));
        upsert((await request(ReprocessFileDocument, { id: file.id })).reprocessFile);
      } else {
        await request(DeleteFileDocument, { id: file.id });
        deleted.current.add(file.id);
        setFiles((current) => current.filter((f) => f.id !== file.id));
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload images</h2>
      <div
        className={dragging ? 'drop dragging' : 'drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void upload([...event.dataTransfer.files]);
        }}
      >
        <label htmlFor="file-picker">Choose or drop images</label>
        <input
          id="file-picker"
          type="file"
          multiple
          accept={policy?.contentTypes.join(',')}
          disabled={!policy || !live}
          onChange={(event) => {
            void upload([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        <p className="hint">
          {policy ? `${policy.contentTypes.join(', ')}; up to ${Math.round(policy.maxBytes / 1024 / 1024)} MB each.` : 'Reading the upload policy…'}
          {policy && !live && ' Connecting live updates…'}
        </p>
      </div>
      {refused.length > 0 && (
        <div role="alert">
          <ul className="refused" aria-label="Refused before upload">
            {refused.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h2 id="files-heading">Your files</h2>
      {loaded && files.length === 0 && <p>No files yet.</p>}
      <ul className="files" aria-labelledby="files-heading" data-loaded={loaded}>
        {files.map((file) => (
          <FileCard
            key={file.id}
            file={file}
            events={events[file.id] ?? []}
            transfer={transfers[file.id]}
            onReprocess={() => void act('reprocess', file)}
            onDelete={() => void act('delete', file)}
          />
        ))}
      </ul>
      {nextToken && (
        <button type="button" onClick={() => void loadPage(nextToken).catch((e: Error) => setError(e.message))}>
          More files
        </button>
      )}
    </section>
  );
}
