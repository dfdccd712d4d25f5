// The customer page's rate limits: the shared form (common/rate-limits-form) for all of the
// customer's keys together.

import { limitsText } from '../../../common/limits-text';
import { Section } from '../../../common/page';
import { type RateLimits, RateLimitsForm } from '../../../common/rate-limits-form';

/** The customer page's section: all of the customer's keys together. */
export function RateLimitsSection({ customerId, limits }: { customerId: string; limits: RateLimits }) {
  return (
    <Section title="Rate limits">
      <p className="muted">
        For all of this customer's keys together: now {limitsText(limits)}. A call over a limit gets an error
        saying when to retry.
      </p>
      <RateLimitsForm target={{ customer_id: customerId }} limits={limits} inSection />
    </Section>
  );
}
