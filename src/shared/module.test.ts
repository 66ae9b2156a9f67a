// The registry closes modules in reverse start order, keeps closing past a failure, and refuses two modules reporting one figure.
import { describe, expect, it } from 'vitest';
import { createModuleRegistry } from './module.ts';

describe('module registry', () => {
  it('hands back each module’s services and closes them in reverse start order', async () => {
    const closed: string[] = [];
    const modules = createModuleRegistry();
    const a = modules.add('a', { services: { name: 'store' }, close: () => void closed.push('a') });
    modules.add('b', { services: {}, close: async () => void closed.push('b') });
    modules.add('c', { services: {} });
    modules.add('d', { services: {}, close: () => void closed.push('d') });
    expect(a.name).toBe('store');
    await modules.close();
    expect(closed).toEqual(['d', 'b', 'a']);
  });

  it('closes the rest when one fails, then throws that failure naming the module', async () => {
    const closed: string[] = [];
    const modules = createModuleRegistry();
    modules.add('store', { services: {}, close: () => void closed.push('store') });
    modules.add('pool', {
      services: {},
      close: () => {
        throw new Error('disk gone');
      },
    });
    modules.add('api', { services: {}, close: () => void closed.push('api') });
    await expect(modules.close()).rejects.toThrow('module pool failed to close: disk gone');
    expect(closed).toEqual(['api', 'store']);
  });

  it('closes once however often it is asked, and takes no module after', async () => {
    let closes = 0;
    const modules = createModuleRegistry();
    modules.add('a', { services: {}, close: () => void closes++ });
    await Promise.all([modules.close(), modules.close()]);
    await modules.close();
    expect(closes).toBe(1);
    expect(() => modules.add('late', { services: {} })).toThrow(/after close/);
  });

  it('merges figures in start order and refuses the same figure from two modules', () => {
    const modules = createModuleRegistry();
    modules.add('pool', { services: {}, stats: () => ({ Environments: 3 }) });
    modules.add('invoke', { services: {}, stats: () => ({ InflightInvocations: 1 }) });
    expect(modules.stats()).toEqual({ Environments: 3, InflightInvocations: 1 });
    modules.add('other', { services: {}, stats: () => ({ Environments: 9 }) });
    expect(() => modules.stats()).toThrow('modules pool and other both report Environments');
    expect(() => modules.add('pool', { services: {} })).toThrow(/twice/);
  });
});
