import { describe, expect, it } from 'vitest';
import { limitsText } from '../../src/renderer/features/customers/lib/limits-text';

describe('limitsText (customer and key pages)', () => {
  it('reads the limits set with set_rate_limits, or "none"', () => {
    expect(limitsText(undefined)).toBe('none');
    expect(limitsText({ calls_per_minute: null, concurrent: null })).toBe('none');
    expect(limitsText({ calls_per_minute: 60, concurrent: null })).toBe('60 calls per minute');
    expect(limitsText({ calls_per_minute: null, concurrent: 5 })).toBe('5 at once');
    expect(limitsText({ calls_per_minute: 60, concurrent: 5 })).toBe('60 calls per minute, 5 at once');
  });
});
