import type { ReactNode } from 'react';

/**
 * A button in a list or table row: its visible verb ("Delete") is completed, for screen readers,
 * by what it acts on, so that ten "Delete" buttons have ten different accessible names.
 */
export function ActionButton({
  verb,
  subject,
  after,
  disabled = false,
  onClick,
}: {
  verb: string;
  subject: ReactNode;
  /** Visible words after the subject ("to cart"). */
  after?: string;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button type="button" disabled={disabled} onClick={onClick}>
      {verb} <span className="visually-hidden">{subject}</span>
      {after === undefined ? null : ` ${after}`}
    </button>
  );
}
