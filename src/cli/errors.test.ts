import { describe, expect, it } from 'vitest';
import { apiErrorFrom } from './client.ts';
import { ApiError, CliError, ConnectionError, exitCodeOf, formatErrorLine } from './errors.ts';

describe('formatErrorLine', () => {
  it('names the Lambda exception for API errors', () => {
    expect(formatErrorLine(new ApiError('ResourceNotFoundException', 'Function not found: hello', 404))).toBe('error: ResourceNotFoundException: Function not found: hello');
  });

  it('keeps every error on one line and never shows a stack', () => {
    const line = formatErrorLine(new CliError('first line\n  second line\r\nthird'));
    expect(line).toBe('error: first line second line third');
    const unexpected = formatErrorLine(new TypeError('boom'));
    expect(unexpected).toBe('error: boom');
    expect(formatErrorLine('plain string')).toBe('error: plain string');
  });

  it('says where the server was expected and how to start it when it is unreachable', () => {
    const line = formatErrorLine(new ConnectionError('http://127.0.0.1:9070', 'ECONNREFUSED'));
    expect(line).toMatch(/^error: the Stratus server is not reachable at http:\/\/127\.0\.0\.1:9070 \(ECONNREFUSED\); start it with `npm start` or `stratus serve`/);
    expect(line).not.toContain('\n');
  });

  it('gives a non-zero exit code for every failure', () => {
    expect(exitCodeOf(new CliError('x'))).toBe(1);
    expect(exitCodeOf(new CliError('x', 2))).toBe(2);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('apiErrorFrom', () => {
  it('reads the exception from x-amzn-ErrorType (dropping an AWS ":url" suffix) and the body message', () => {
    const err = apiErrorFrom(404, new Headers({ 'x-amzn-ErrorType': 'ResourceNotFoundException:http://internal/' }), '{"Type":"User","message":"Function not found"}');
    expect(formatErrorLine(err)).toBe('error: ResourceNotFoundException: Function not found');
    expect(err.status).toBe(404);
  });

  it('accepts Message and __type when the header is missing', () => {
    const err = apiErrorFrom(400, new Headers(), '{"__type":"com.amazon#InvalidParameterValueException","Message":"bad memory"}');
    expect(formatErrorLine(err)).toBe('error: InvalidParameterValueException: bad memory');
  });

  it('falls back to the status for bodies that are not JSON (a proxy page)', () => {
    expect(formatErrorLine(apiErrorFrom(502, new Headers(), '<html>Bad Gateway</html>'))).toBe('error: HTTP 502: the server answered with status 502');
    expect(formatErrorLine(apiErrorFrom(503, new Headers(), 'upstream down'))).toBe('error: HTTP 503: upstream down');
  });
});
