/**
 * Server options: every option typed, with its default, validated in one place. Invalid values
 * produce a single ConfigError that names each bad value and how to fix it.
 *
 * The pieces: config-options.ts (the option types, each documented with its default),
 * config-defaults.ts (the defaults), config-validation.ts (the checks). This file resolves them
 * in order and derives what needs a checked value first; importers use it, not the pieces.
 */
import { createTokenAuthorize } from './access/token-authorize.js';
import { TrustedProxies } from './access/trusted-proxies.js';
import { MIN_SECRET_LENGTH } from './limits.js';
import { webhookOptionProblems } from './webhooks/webhook-options.js';
import type { QuireServerOptions, ResolvedOptions } from './config-options.js';
import { withDefaults } from './config-defaults.js';
import { ConfigError, optionProblems } from './config-validation.js';

export type { QuireServerOptions, ResolvedOptions } from './config-options.js';
export { ConfigError } from './config-validation.js';
export {
  DEFAULT_BUS_CATCH_UP_INTERVAL_MS,
  DEFAULT_DATA_DIR,
  DEFAULT_DELETED_RETENTION_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultStaticDir,
} from './config-defaults.js';

export function resolveOptions(options: QuireServerOptions = {}): ResolvedOptions {
  const resolved = withDefaults(options);
  const problems = optionProblems(resolved);
  if (resolved.secret !== undefined) {
    if (typeof resolved.secret !== 'string' || resolved.secret.length < MIN_SECRET_LENGTH) {
      problems.push(
        `secret must have at least ${MIN_SECRET_LENGTH} characters ` +
          '(generate one with `openssl rand -base64 32`)',
      );
    } else if (resolved.authorize !== undefined) {
      problems.push('give either secret (token auth) or authorize (your own check), not both');
    } else {
      resolved.authorize = createTokenAuthorize(resolved.secret);
    }
  }
  // A plain string from JavaScript callers is one entry, not a list of characters.
  const trust = TrustedProxies.parse(
    Array.isArray(resolved.trustProxy) ? resolved.trustProxy : [String(resolved.trustProxy)],
  );
  problems.push(...trust.problems.map((problem) => `trustProxy entry ${problem}`));
  resolved.trustedProxies = trust.proxies;
  problems.push(...webhookOptionProblems(resolved));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
