import { useState } from 'react';
import type { FileFieldsFragment } from '../../../client/generated/operations.ts';
import type { FileEvent } from './Files.tsx';
import { Steps } from './Steps.tsx';
import { formatBytes } from './upload.ts';
import { ActionButton } from './ActionButton.tsx';

export interface Transfer {
  readonly sent: number;
  readonly total: number;
  readonly error?: string;
}

interface Props {
  readonly file: FileFieldsFragment;
  readonly events: readonly FileEvent[];
  readonly transfer: Transfer | undefined;
  readonly onReprocess: () => void;
  readonly onDelete: () => void;
}

/** One file: its upload's progress, its steps as they arrive, then its thumbnails or its error. */
export function FileCard({ file, events, transfer, onReprocess, onDelete }: Props) {
  const [large, setLarge] = useState(false);
  // One image per size: WebP where the browser takes it, the JPEG otherwise.
  const small = file.thumbnails.filter((t) => t.width === 200);
  const smallJpeg = small.find((t) => t.format === 'jpeg') ?? small[0];
  const smallWebp = small.find((t) => t.format === 'webp');
  const wide = file.thumbnails.find((t) => t.width === 800 && t.format === 'jpeg') ?? file.thumbnails.find((t) => t.width > 200);
  const percent = transfer ? Math.round((transfer.sent / Math.max(transfer.total, 1)) * 100) : undefined;
  const headingId = `file-${file.id}`;
  return (
    <li className="card" aria-labelledby={headingId} data-file-id={file.id} data-status={file.status}>
      <h3 id={headingId}>{file.fileName}</h3>
      <p className="meta">
        <span className={`status status-${file.status.toLowerCase()}`}>{file.status}</span> {formatBytes(file.size)}
        {file.width && file.height ? ` · ${file.width}×${file.height}` : ''}
      </p>
      {percent !== undefined && (
        <p className="progress">
          <label htmlFor={`${headingId}-progress`}>Upload</label>{' '}
          <progress id={`${headingId}-progress`} max={100} value={percent}>
            {percent}%
          </progress>{' '}
          <output>{percent}%</output>
          {transfer?.error && <span role="alert"> {transfer.error}</span>}
        </p>
      )}
      {events.length > 0 && (
        <Steps label={`Steps of ${file.fileName}`} events={events} />
      )}
      {file.status === 'FAILED' && file.error && (
        <p className="error" role="status">
          Failed{file.error.step ? ` at ${file.error.step.toLowerCase()}` : ''}: {file.error.message}
        </p>
      )}
      {smallJpeg && (
        <div className="thumbs">
          <button type="button" className="thumb" onClick={() => setLarge(true)} aria-label={`Show ${file.fileName} larger`}>
            <picture>
              {smallWebp && <source type="image/webp" srcSet={smallWebp.url} />}
              <img src={smallJpeg.url} width={smallJpeg.width} height={smallJpeg.height} alt={`${file.fileName}, ${smallJpeg.width}×${smallJpeg.height}`} />
            </picture>
          </button>
        </div>
      )}
      {large && wide && (
        <figure className="large">
          <img src={wide.url} width={wide.width} height={wide.height} alt={`${file.fileName}, ${wide.width} wide`} />
          <figcaption>
            <button type="button" onClick={() => setLarge(false)}>
              Close
            </button>
          </figcaption>
        </figure>
      )}
      <p className="actions">
        {(file.status === 'FAILED' || file.status === 'READY') && (
          <ActionButton verb="Reprocess" subject={file.fileName} onClick={onReprocess} />
        )}
        <ActionButton verb="Delete" subject={file.fileName} onClick={onDelete} />
      </p>
    </li>
  );
}
