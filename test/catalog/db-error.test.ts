/** One-line reasons for database failures, whatever the driver throws. */
import { describe, expect, it } from 'vitest';
import { describeDbError } from '../../core/catalog/db-error.js';

describe('describeDbError', () => {
  it('names a plain object thrown by the WebAssembly runtime instead of printing [object Object]', () => {
    const reason = describeDbError({ name: 'ExitStatus', status: 1 });
    expect(reason).not.toContain('[object Object]');
    expect(reason).toMatch(/^ExitStatus status 1 /);
    expect(describeDbError({ message: 'lock held' })).toBe('lock held');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeDbError(circular)).toBe('error');
  });

  it('keeps an Error message and adds its code', () => {
    const error = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    expect(describeDbError(error)).toBe('connect refused (ECONNREFUSED)');
    expect(describeDbError('text')).toBe('text');
  });
});
