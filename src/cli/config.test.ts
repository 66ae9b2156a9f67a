import { describe, expect, it } from 'vitest';
import { displayEndpoint, resolveEndpoint, resolveRegion } from './config.ts';

describe('resolveEndpoint', () => {
  it('takes --endpoint over STRATUS_ENDPOINT over the local default', () => {
    expect(displayEndpoint(resolveEndpoint(undefined, {}))).toBe('http://127.0.0.1:9070');
    expect(displayEndpoint(resolveEndpoint(undefined, { STRATUS_ENDPOINT: 'http://env:1' }))).toBe('http://env:1');
    expect(displayEndpoint(resolveEndpoint('https://flag:2/', { STRATUS_ENDPOINT: 'http://env:1' }))).toBe('https://flag:2');
  });

  it('rejects what is not an http(s) URL with the expected form', () => {
    expect(() => resolveEndpoint('localhost:9070', {})).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => resolveEndpoint('not a url', {})).toThrow(/is not a URL; use a form like http:\/\/127.0.0.1:9070/);
  });
});

describe('resolveRegion', () => {
  it('takes --region, then STRATUS_REGION, then AWS_REGION, then us-east-1', () => {
    expect(resolveRegion(undefined, {})).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'eu-west-1', STRATUS_REGION: 'local-1' })).toBe('local-1');
    expect(resolveRegion('flag-1', { STRATUS_REGION: 'local-1' })).toBe('flag-1');
  });
});
