import { describe, expect, it } from 'vitest';
import { CloseCode, isFinalCloseCode } from '@quire/shared';
import {
  HTTP_GONE,
  retryNotice,
  stopMessage,
  stopReasonForClose,
  stopReasonForHttpStatus,
} from '../src/stop-policy.js';

describe('the editor stop policy', () => {
  it('stops after exactly refused credentials, withdrawn access and a deleted document among close codes', () => {
    expect(stopReasonForClose(CloseCode.Unauthenticated)).toBe('unauthenticated');
    expect(stopReasonForClose(CloseCode.Forbidden)).toBe('forbidden');
    expect(stopReasonForClose(CloseCode.Gone)).toBe('gone');
    const stops = Object.values(CloseCode).filter((code) => stopReasonForClose(code) !== null);
    expect(stops.sort()).toEqual([4401, 4403, 4410]);
  });

  it('retries after 4400 and 4413, which stock 3.x clients treat as final', () => {
    for (const code of [CloseCode.BadMessage, CloseCode.TooLarge]) {
      expect(isFinalCloseCode(code)).toBe(true);
      expect(stopReasonForClose(code)).toBeNull();
    }
  });

  it('retries after restarts, overload, server errors and any code it does not know', () => {
    for (const code of [
      1000, 1001, 1003, 1005, 1006, 1011, 1012, 1013, 4000, 4408, 4429, 4500, 4599, 4999,
    ]) {
      expect(stopReasonForClose(code), `close ${code}`).toBeNull();
    }
  });

  it('stops after an upgrade refused with 401, 403, 410 (document deleted) or 400', () => {
    expect(HTTP_GONE).toBe(410);
    expect(stopReasonForHttpStatus(401)).toBe('unauthenticated');
    expect(stopReasonForHttpStatus(403)).toBe('forbidden');
    expect(stopReasonForHttpStatus(HTTP_GONE)).toBe('gone');
    expect(stopReasonForHttpStatus(400)).toBe('invalid-name');
    for (const status of [200, 404, 408, 429, 431, 500, 502, 503]) {
      expect(stopReasonForHttpStatus(status), `HTTP ${status}`).toBeNull();
    }
  });

  it('tells the person what happened, with the server reason, and never to just reload', () => {
    expect(stopMessage('unauthenticated', 'token expired')).toBe(
      'Not signed in: the access link is missing, invalid or expired (token expired). Ask for a new link and reload.',
    );
    expect(stopMessage('forbidden', '')).toBe(
      'No access: this link does not allow opening this document.',
    );
    expect(stopMessage('gone', '')).toBe('This document was deleted.');
    expect(stopMessage('invalid-name', 'bad segment')).toBe(
      'The server does not accept this document name (bad segment).',
    );
  });

  it('explains a refusal it retries after in a few words, and an ordinary outage not at all', () => {
    expect(retryNotice(CloseCode.TryAgainLater)).toBe('server busy');
    expect(retryNotice(CloseCode.InternalError)).toBe('server error');
    expect(retryNotice(CloseCode.BadMessage)).toBe('message rejected');
    expect(retryNotice(CloseCode.TooLarge)).toBe('document too large');
    for (const code of [1001, 1006, 1012, 4500]) expect(retryNotice(code)).toBeNull();
  });
});
