// Types for launch-decision.mjs so the TypeScript tests can import it.
export interface LaunchDecision {
  mode: 'electron' | 'headless';
  reason: string;
  /** Set when mode is 'electron': the binary to run. */
  electronPath?: string;
}

export function decideLaunch(input: {
  env: Record<string, string | undefined>;
  platform: string;
  electronDir: string;
}): LaunchDecision;
