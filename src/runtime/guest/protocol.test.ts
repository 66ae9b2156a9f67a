// The host reads guest reports defensively: anything malformed is a protocol error, never a crash of the host.
import { describe, expect, it } from 'vitest';
import { GuestProtocolError, parseGuestError, parseGuestReport } from './protocol.ts';

describe('parseGuestReport', () => {
  it('reads done and pending reports', () => {
    expect(parseGuestReport({ state: 'done', outcome: 'ok', payload: '1', logs: 'x' })).toEqual({ state: 'done', outcome: 'ok', payload: '1', logs: 'x' });
    expect(parseGuestReport({ state: 'pending', nextTimerAt: 5 })).toEqual({ state: 'pending', nextTimerAt: 5, logs: '' });
  });

  it.each([
    [42],
    ['{"state":"done","outcome":"ok","payload":"1"}'],
    [null],
    [{ state: 'done' }],
    [{ state: 'done', outcome: 'maybe', payload: '1' }],
    [{ state: 'done', outcome: 'ok', payload: 1 }],
    [{ state: 'pending', nextTimerAt: 'soon' }],
    [{ state: 'other' }],
    [{ state: 'done', outcome: 'ok', payload: '' }],
    [{ state: 'pending', nextTimerAt: -1 }],
    [{ state: 'pending', nextTimerAt: Infinity }],
  ])('rejects %j', (raw) => {
    expect(() => parseGuestReport(raw)).toThrow(GuestProtocolError);
  });

  it('rejects a report longer than the bound', () => {
    const raw = { state: 'done', outcome: 'ok', payload: '1'.repeat(100), logs: 'x' };
    expect(parseGuestReport(raw, 101).state).toBe('done');
    expect(() => parseGuestReport(raw, 100)).toThrow(/more than the \d+ it may/);
  });
});

describe('parseGuestError', () => {
  it('keeps string trace lines only and falls back on unreadable payloads', () => {
    expect(parseGuestError('{"errorType":"E","errorMessage":"m","trace":["a",1]}')).toEqual({ errorType: 'E', errorMessage: 'm', trace: ['a'] });
    expect(parseGuestError('garbage').errorType).toBe('Runtime.Unknown');
  });
});
