/**
 * prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles) on a server's
 * own registry.
 *
 * They describe the process, not a server, so they are collected ONCE per process and the same
 * metric objects are registered on every server's registry. Calling `collectDefaultMetrics` per
 * server would start one event-loop delay monitor and one GC observer per call that nothing can
 * stop again (prom-client 15 returns no handle): a test process that starts hundreds of servers
 * would keep hundreds of them running. With several servers in one process their /metrics show
 * the same process figures; the event-loop lag percentiles are reset by each scrape, by whichever
 * server is scraped.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | null = null;

/** Registers the process metrics on `target` (once per registry). */
export function registerProcessMetrics(target: Registry): void {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  for (const metric of processRegistry.getMetricsAsArray()) {
    // getMetricsAsArray's declared type is the plain object view; each entry is the metric.
    target.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
