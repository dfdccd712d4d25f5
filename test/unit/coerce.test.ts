// coerceScalars fixes only what the validator reported, copies only what it changes, keeps the
// arguments' prototype (none, in the pipeline) and treats names like __proto__ as ordinary keys.
import { describe, expect, it } from 'vitest';
import { coerceScalars, pointerPath } from '../../src/shared/schemas/coerce';

describe('coerceScalars', () => {
  it('fixes reported scalars in a copy, nested too, and leaves the input alone', () => {
    const args = { id: 2, nested: { flag: 'true', list: ['1', 'x'] }, keep: 'as is' };
    const fixed = coerceScalars(args, [
      { path: ['id'], expected: ['string'] },
      { path: ['nested', 'flag'], expected: ['boolean'] },
      { path: pointerPath('/nested/list/0'), expected: ['integer'] },
      { path: ['nested', 'list', 1], expected: ['integer'] },
    ]);
    expect(fixed).toEqual({ id: '2', nested: { flag: true, list: [1, 'x'] }, keep: 'as is' });
    expect(args).toEqual({ id: 2, nested: { flag: 'true', list: ['1', 'x'] }, keep: 'as is' });
  });

  it('returns the very same object when nothing is obvious', () => {
    const args = { a: null, b: [1], c: { d: 1 }, e: true, f: '3.5', g: 'yes', h: '', i: ' ', j: '1e999' };
    const fixed = coerceScalars(args, [
      { path: ['a'], expected: ['string'] },
      { path: ['b'], expected: ['string'] },
      { path: ['c'], expected: ['string'] },
      { path: ['e'], expected: ['integer', 'number'] },
      { path: ['f'], expected: ['integer'] },
      { path: ['g'], expected: ['boolean'] },
      { path: ['h'], expected: ['number'] },
      { path: ['i'], expected: ['number'] },
      { path: ['j'], expected: ['number'] },
      { path: ['missing'], expected: ['string'] },
      { path: [], expected: ['object'] },
    ]);
    expect(fixed).toBe(args);
  });

  it('coerces to a string enum only a value it lists', () => {
    const args = { level: 2, other: 3 };
    expect(
      coerceScalars(args, [
        { path: ['level'], expected: ['string'], allowed: ['1', '2'] },
        { path: ['other'], expected: ['string'], allowed: ['1', '2'] },
      ]),
    ).toEqual({ level: '2', other: 3 });
  });

  it('keeps a null prototype and own keys named __proto__ or constructor', () => {
    const args: Record<string, unknown> = Object.create(null);
    Object.defineProperty(args, '__proto__', {
      value: 5,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(args, 'constructor', {
      value: '7',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const fixed = coerceScalars(args, [
      { path: ['__proto__'], expected: ['string'] },
      { path: ['constructor'], expected: ['integer'] },
    ]);
    expect(Object.getPrototypeOf(fixed)).toBeNull();
    expect(Object.keys(fixed)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(fixed, '__proto__')?.value).toBe('5');
    expect(Object.getOwnPropertyDescriptor(fixed, 'constructor')?.value).toBe(7);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
