// Naming a customer's tools (tool-names.ts): bare names where unique, whatever the order;
// renames first; every name valid and unique.
import { describe, expect, it } from 'vitest';
import { assignNames, type NameRequest, TOOL_NAME_PATTERN } from '../../src/main/core/gateway/tool-names';

const req = (slug: string, name: string, rename?: string): NameRequest => ({
  slug,
  name,
  bare: name,
  rename,
});

/** The name each request got, keyed by slug/name, so orders can be compared. */
function named(requests: NameRequest[], naming: 'prefixed' | 'bare') {
  const { names } = assignNames(requests, naming);
  return Object.fromEntries(requests.map((r, i) => [`${r.slug}/${r.name}`, names[i]]));
}

describe('assignNames', () => {
  const requests = [
    req('calc', 'add'),
    req('calc', 'multiply'),
    req('web', 'add'),
    req('web', 'get_note'),
    req('web', 'has space'),
    req('other', 'web__get_note'),
  ];

  it('prefixed: `<slug>__<name>` for every tool', () => {
    expect(named(requests, 'prefixed')).toEqual({
      'calc/add': 'calc__add',
      'calc/multiply': 'calc__multiply',
      'web/add': 'web__add',
      'web/get_note': 'web__get_note',
      'web/has space': 'web__has_space',
      'other/web__get_note': 'other__web__get_note',
    });
  });

  it('bare: the own name where unique and valid; a shared one prefixed for every tool sharing it', () => {
    expect(named(requests, 'bare')).toEqual({
      'calc/add': 'calc__add',
      'calc/multiply': 'multiply',
      'web/add': 'web__add',
      'web/get_note': 'get_note',
      'web/has space': 'web__has_space',
      // Its bare name is another tool's prefixed name: it keeps the prefixed form.
      'other/web__get_note': 'other__web__get_note',
    });
  });

  it('gives the same names in every order', () => {
    const expected = named(requests, 'bare');
    for (let shift = 1; shift < requests.length; shift += 1) {
      const rotated = [...requests.slice(shift), ...requests.slice(0, shift)];
      expect(named(rotated, 'bare')).toEqual(expected);
      expect(named([...rotated].reverse(), 'bare')).toEqual(expected);
    }
  });

  it('honours renames first; a default name a rename took falls back and is reported', () => {
    const { names, conflicts } = assignNames(
      [req('calc', 'add'), req('calc', 'multiply'), req('web', 'get_note', 'multiply')],
      'bare',
    );
    expect(names).toEqual(['add', 'calc__multiply', 'multiply']);
    expect(conflicts).toEqual([{ index: 2, other: 1, name: 'multiply' }]);
  });

  it('a second rename to a taken name loses deterministically; invalid renames are ignored', () => {
    const { names, conflicts } = assignNames(
      [req('a', 'x', 'same'), req('b', 'y', 'same'), req('c', 'z', 'bad name')],
      'prefixed',
    );
    expect(names).toEqual(['same', 'b__y', 'c__z']);
    expect(conflicts).toEqual([{ index: 1, other: 0, name: 'same' }]);
  });

  it('keeps names unique and valid when prefixed names collide', () => {
    const long = 'x'.repeat(80);
    const { names } = assignNames(
      [req('s', 'a-b'), req('s', 'a_b'), req('s', long), req('s', `${long}y`)],
      'bare',
    );
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(n).toMatch(TOOL_NAME_PATTERN);
  });
});
