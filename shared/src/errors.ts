/**
 * Every error Quire raises on purpose carries a machine-readable code, so a caller can map it to
 * a close code, an HTTP status or a log field without matching on message text.
 */
export type QuireErrorCode =
  | 'frame-empty'
  | 'frame-truncated'
  | 'frame-integer-overflow'
  | 'frame-trailing-bytes'
  | 'frame-invalid-utf8'
  | 'frame-unknown-type'
  | 'frame-unknown-sync-type'
  | 'frame-too-large'
  | 'doc-name-invalid'
  | 'doc-name-too-long';

export class QuireError extends Error {
  readonly code: QuireErrorCode;

  constructor(code: QuireErrorCode, message: string) {
    super(message);
    this.name = 'QuireError';
    this.code = code;
  }
}

export function isQuireError(value: unknown): value is QuireError {
  return value instanceof QuireError;
}
