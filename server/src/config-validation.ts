/**
 * The checks of resolved options: each bad value becomes one problem that names it and how to fix
 * it, so that a misconfigured server says everything wrong at once (in one ConfigError) instead of
 * failing on the first. The checks that also derive a value (secret → authorize, trustProxy →
 * trustedProxies) are in config.ts, which runs them after these.
 */
import type { ResolvedOptions } from './config-options.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Quire configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The problems of the options that are checked on their own or against each other, in the
 * order of the ConfigError's lines (the derived checks in config.ts come after them). */
export function optionProblems(resolved: ResolvedOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push(
      `port ${String(resolved.port)} is not an integer from 0 to 65535 (0 = any free port)`,
    );
  }
  if (typeof resolved.host !== 'string' || resolved.host.trim() === '') {
    problems.push('host is empty; use an interface address such as 127.0.0.1 or 0.0.0.0');
  }
  const { metricsPort, metricsHost } = resolved;
  if (
    metricsPort !== null &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)
  ) {
    problems.push(`metricsPort ${String(metricsPort)} is not an integer from 0 to 65535`);
  } else if (metricsPort !== null && metricsPort !== 0 && metricsPort === resolved.port) {
    problems.push(
      `metricsPort ${metricsPort} is the editing port: pick another, or leave it unset`,
    );
  }
  if (typeof metricsHost !== 'string' || metricsHost.trim() === '') {
    problems.push('metricsHost is empty; use an interface address such as 10.0.0.5 or 127.0.0.1');
  }
  if (resolved.pathPrefix !== '' && !/^\/[A-Za-z0-9._~/-]*[^/]$/.test(resolved.pathPrefix)) {
    problems.push(`pathPrefix "${resolved.pathPrefix}" must start with / and not end with /`);
  }
  for (const origin of resolved.allowOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`allowed origin "${origin}" must look like https://example.com[:port]`);
    }
  }
  const positive: (keyof ResolvedOptions)[] = [
    'busPresenceBatchMs',
    'busHeartbeatIntervalMs',
    'busHeartbeatTimeoutMs',
    'busCatchUpIntervalMs',
    'heartbeatIntervalMs',
    'compactAfterUpdates',
    'compactAfterBytes',
    'maxMessageBytes',
    'maxFragments',
    'maxBufferedChunks',
    'maxConnections',
    'sendHighWaterBytes',
    'slowConsumerTimeoutMs',
    'maxAwarenessStateBytes',
    'maxDocumentBytes',
    'maxConnectionsPerIp',
    'maxConnectionsPerPrincipal',
    'maxNewDocumentsPerMinute',
    'messagesPerSecond',
    'messageBurst',
    'bytesPerSecond',
    'handshakeTimeoutMs',
    'headersTimeoutMs',
    'maxHeadersCount',
    'deletedRetentionMs',
    'versionsKeepAllMs',
    'versionsKeepHourlyMs',
    'versionThinIntervalMs',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      problems.push(`${key} must be a positive integer (got ${String(value)})`);
    }
  }
  if (!Number.isInteger(resolved.revalidateIntervalMs) || resolved.revalidateIntervalMs < 0) {
    problems.push(
      `revalidateIntervalMs must be an integer ≥ 0 (got ${resolved.revalidateIntervalMs})`,
    );
  }
  if (resolved.busHeartbeatTimeoutMs < 2 * resolved.busHeartbeatIntervalMs) {
    problems.push(
      `busHeartbeatTimeoutMs (${resolved.busHeartbeatTimeoutMs}) must be at least twice ` +
        `busHeartbeatIntervalMs (${resolved.busHeartbeatIntervalMs}), or one late heartbeat ` +
        'would drop a live instance’s presence',
    );
  }
  if (!Number.isInteger(resolved.autoVersionIdleMs) || resolved.autoVersionIdleMs < 0) {
    problems.push(
      `autoVersionIdleMs must be an integer ≥ 0 (0 = no versions after a pause; got ${resolved.autoVersionIdleMs})`,
    );
  }
  if (resolved.versionsKeepHourlyMs < resolved.versionsKeepAllMs) {
    problems.push(
      `versionsKeepHourlyMs (${resolved.versionsKeepHourlyMs}) must be at least versionsKeepAllMs (${resolved.versionsKeepAllMs})`,
    );
  }
  if (!Number.isInteger(resolved.roomUnloadGraceMs) || resolved.roomUnloadGraceMs < 0) {
    problems.push(`roomUnloadGraceMs must be an integer ≥ 0 (got ${resolved.roomUnloadGraceMs})`);
  }
  return problems;
}
