/**
 * The PUT of a file to its upload ticket's signed URL, with exactly the headers the ticket names.
 * XMLHttpRequest, not fetch: only it reports the bytes sent as they go.
 */
const FORBIDDEN = new Set(['content-length', 'host', 'connection']);

export function putWithProgress(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    // The browser sets these itself (and refuses them from script); the signature covers what it sends.
    for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : body.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size, body.size);
        resolve();
      } else reject(new Error(`The upload was refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('The upload could not reach the storage'));
    xhr.send(body);
  });
}

export interface Policy {
  readonly contentTypes: readonly string[];
  readonly maxBytes: number;
}

/** Why the policy refuses a file before any upload, or undefined when it may go. */
export function refusal(file: File, policy: Policy): string | undefined {
  if (!policy.contentTypes.includes(file.type)) {
    return `${file.name}: ${file.type || 'this type'} is not accepted (accepted: ${policy.contentTypes.join(', ')})`;
  }
  if (file.size > policy.maxBytes) return `${file.name}: ${formatBytes(file.size)} is over the limit of ${formatBytes(policy.maxBytes)}`;
  if (file.size === 0) return `${file.name}: the file is empty`;
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
