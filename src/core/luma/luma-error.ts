/**
 * Every way a Luma call can fail, as one error type the tools can map to a message for a person.
 * Messages never contain the API key: the client never puts it anywhere but the Authorization header.
 */
export type LumaErrorKind =
  /** 401 or 403: the key is wrong, revoked, or not allowed to do this. */
  | 'unauthorized'
  /** 404: no such generation for this key (or it is already gone). */
  | 'not_found'
  /** 429 that we did not (or could no longer) wait out. */
  | 'rate_limited'
  /** 5xx, timeouts and broken connections that outlasted our retries. */
  | 'unavailable'
  /** Any other answer Luma gave that is not a success (400, 405, 422, …). */
  | 'rejected';

export interface LumaErrorDetails {
  kind: LumaErrorKind;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Luma's own `detail` text, when it sent one. */
  detail?: string;
  /** For `rate_limited`: how long Luma asked us to wait, when it said. */
  retryAfterSeconds?: number;
  /** For `unavailable`: what the last attempt ran into. */
  reason?: 'server_error' | 'timeout' | 'connection';
  /** How many requests were sent in all, retries included. */
  attempts: number;
  /**
   * An earlier attempt ended without a trustworthy answer (timeout, dropped connection, 5xx): it
   * may have been carried out at Luma although the call failed.
   */
  ambiguous?: boolean;
}

export class LumaError extends Error {
  readonly kind: LumaErrorKind;
  readonly status?: number;
  readonly detail?: string;
  readonly retryAfterSeconds?: number;
  readonly reason?: LumaErrorDetails['reason'];
  readonly attempts: number;
  readonly ambiguous?: boolean;

  constructor(details: LumaErrorDetails) {
    super(summarise(details));
    this.name = 'LumaError';
    this.kind = details.kind;
    this.status = details.status;
    this.detail = details.detail;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.reason = details.reason;
    this.attempts = details.attempts;
    if (details.ambiguous) this.ambiguous = true;
  }
}

function summarise({ kind, status, detail, reason }: LumaErrorDetails): string {
  const what = status ? `Luma answered ${status}` : `Luma could not be reached (${reason ?? 'unknown'})`;
  return detail ? `${what} (${kind}): ${detail}` : `${what} (${kind})`;
}
