// Imported first by main.tsx, before any schema exists: zod probes `new Function` when it builds
// an object schema (for its fast path), and the page's CSP — no 'unsafe-eval' — reports that
// probe as a violation even though zod catches it. Jitless parsing needs no eval.
import { config } from 'zod';

config({ jitless: true });
