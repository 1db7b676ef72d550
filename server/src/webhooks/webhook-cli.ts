/**
 * The `quire-server` webhook flags: `--webhook-url` (repeatable), `--webhook-secret`,
 * `--webhook-include-text`, with QUIRE_WEBHOOK_URL (comma-separated), QUIRE_WEBHOOK_SECRET and
 * QUIRE_WEBHOOK_INCLUDE_TEXT as fallbacks. Kept apart from cli.ts so that file stays the
 * contract's outline; the other webhook options are library options (docs/operations.md).
 */
import { MIN_SECRET_LENGTH } from '../limits.js';
import { webhookUrlProblem } from './receivers.js';

/** parseArgs option specs, spread into the serve command's. */
export const WEBHOOK_CLI_OPTIONS = {
  'webhook-url': { type: 'string', multiple: true },
  'webhook-secret': { type: 'string' },
  'webhook-include-text': { type: 'boolean' },
} as const;

export const WEBHOOK_USAGE = [
  '  --webhook-url <u>    POST every document event to this URL, signed; repeatable',
  '                       [QUIRE_WEBHOOK_URL, comma-separated]            default: none',
  `  --webhook-secret <s> key of the X-Quire-Signature HMAC (${MIN_SECRET_LENGTH}+ characters), required`,
  '                       with --webhook-url [QUIRE_WEBHOOK_SECRET]',
  '  --webhook-include-text  put the document text in created/changed events',
  '                       [QUIRE_WEBHOOK_INCLUDE_TEXT=1]                  default: off',
  '',
].join('\n');

export interface WebhookArgs {
  webhookUrls: string[];
  webhookSecret: string;
  webhookIncludeText: boolean;
}

interface WebhookValues {
  'webhook-url'?: string[];
  'webhook-secret'?: string;
  'webhook-include-text'?: boolean;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

export function parseWebhookArgs(
  values: WebhookValues,
  env: NodeJS.ProcessEnv,
): { args: WebhookArgs | null; problems: string[] } {
  const problems: string[] = [];
  const urls = (values['webhook-url'] ?? [env.QUIRE_WEBHOOK_URL ?? ''])
    .flatMap((value) => value.split(','))
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    const problem = webhookUrlProblem(url);
    if (problem) problems.push(`--webhook-url / QUIRE_WEBHOOK_URL ${problem}`);
  }
  // An empty QUIRE_WEBHOOK_SECRET counts as unset, like QUIRE_SECRET.
  const secret = values['webhook-secret'] ?? (env.QUIRE_WEBHOOK_SECRET || undefined);
  const fix = `e.g. --webhook-secret "$(openssl rand -base64 32)"`;
  if (urls.length > 0 && secret === undefined) {
    problems.push(
      `--webhook-url needs --webhook-secret / QUIRE_WEBHOOK_SECRET (receivers check signatures with it): ${fix}`,
    );
  } else if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `--webhook-secret / QUIRE_WEBHOOK_SECRET has ${secret.length} characters; use at least ` +
        `${MIN_SECRET_LENGTH} random ones, ${fix}`,
    );
  }
  const envText = (env.QUIRE_WEBHOOK_INCLUDE_TEXT ?? '').trim().toLowerCase();
  if (!TRUE.has(envText) && !FALSE.has(envText)) {
    problems.push('QUIRE_WEBHOOK_INCLUDE_TEXT must be 1 or 0 (true/false)');
  }
  const includeText = values['webhook-include-text'] ?? TRUE.has(envText);
  if (problems.length > 0 || urls.length === 0 || secret === undefined) {
    return { args: null, problems };
  }
  return {
    args: { webhookUrls: urls, webhookSecret: secret, webhookIncludeText: includeText },
    problems,
  };
}
