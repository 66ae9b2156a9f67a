/**
 * @module The Prometheus exposition of the function series: a prom-client Registry of our own
 * (never the global default one) whose metrics read the series' plain counters when scraped.
 */
import { Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { NodeLoad } from './types.ts';
import { DURATION_BUCKETS_SECONDS, type Series } from './function-series.ts';

const SERIES_LABELS = ['account', 'function', 'tenant'] as const;
type SeriesLabel = (typeof SERIES_LABELS)[number];

export interface RegistrySource {
  /** Every series of every function, read at scrape time. */
  series(): Iterable<Series>;
  /** Tenants whose statistics are kept right now (node-wide). */
  trackedTenants(): number;
  tenantLabelCap: number;
  load?: () => NodeLoad;
}

/**
 * A histogram whose buckets come from the series instead of `observe()`: prom-client offers no
 * public way to load bucket counts, so this overrides the read side, returning the same shape
 * prom-client's own `get()` returns (labels flattened, `le` included).
 */
const DURATION_NAME = 'stratus_invocation_duration_seconds';
const DURATION_HELP = 'Handler run time of finished invocations, in seconds.';

class SeriesHistogram extends Histogram<SeriesLabel> {
  constructor(
    registry: Registry,
    private readonly source: RegistrySource,
  ) {
    super({
      name: DURATION_NAME,
      help: DURATION_HELP,
      labelNames: SERIES_LABELS,
      buckets: [...DURATION_BUCKETS_SECONDS],
      registers: [registry],
    });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<SeriesLabel | 'le'>>> {
    const values: MetricValueWithName<SeriesLabel | 'le'>[] = [];
    for (const s of this.source.series()) {
      let cumulative = 0;
      let count = 0;
      for (let i = 0; i < s.buckets.length; i++) count += s.buckets[i]!;
      DURATION_BUCKETS_SECONDS.forEach((bound, i) => {
        cumulative += s.buckets[i]!;
        values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { ...s.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${DURATION_NAME}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${DURATION_NAME}_sum`, labels: s.labels, value: s.sumSeconds });
      values.push({ metricName: `${DURATION_NAME}_count`, labels: s.labels, value: count });
    }
    // prom-client's typings say `type` is an enum, but its registry prints the string it finds here.
    const metric = { name: DURATION_NAME, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
    return metric as unknown as MetricObjectWithValues<MetricValueWithName<SeriesLabel | 'le'>>;
  }

  /** The registry's text path calls this when present; the flattened shape formats the same. */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<SeriesLabel | 'le'>>> {
    return this.get();
  }
}

/** Builds the registry; every metric reads `source` at scrape time, so nothing here runs per invocation. */
export function createMetricsRegistry(source: RegistrySource): Registry {
  const registry = new Registry();

  new Counter({
    name: 'stratus_invocations_total',
    help: 'Finished invocations by outcome (error: the handler failed, timed out or ran out of memory).',
    labelNames: [...SERIES_LABELS, 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.series()) {
        this.inc({ ...s.labels, outcome: 'success' }, s.success);
        this.inc({ ...s.labels, outcome: 'error' }, s.error);
      }
    },
  });

  new Counter({
    name: 'stratus_throttles_total',
    help: 'Invocations refused with 429: by a tenant limit (concurrency, rate) or for node capacity.',
    labelNames: [...SERIES_LABELS, 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.series()) {
        for (const [reason, n] of Object.entries(s.throttles)) this.inc({ ...s.labels, reason }, n);
      }
    },
  });

  new Counter({
    name: 'stratus_cold_starts_total',
    help: 'Invocations that had to create an environment first.',
    labelNames: SERIES_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.series()) this.inc(s.labels, s.coldStarts);
    },
  });

  new SeriesHistogram(registry, source);

  new Gauge({
    name: 'stratus_tracked_tenants',
    help: 'Tenants whose statistics this node keeps (the tenants route); bounded by maxTrackedTenants.',
    registers: [registry],
    collect() {
      this.set(source.trackedTenants());
    },
  });

  new Gauge({
    name: 'stratus_tenant_label_cap',
    help: 'Distinct tenant label values per function before the rest fold into tenant="_other".',
    registers: [registry],
    collect() {
      this.set(source.tenantLabelCap);
    },
  });

  const load = source.load;
  if (load) {
    new Gauge({
      name: 'stratus_event_loop_utilization',
      help: 'Share of the last interval (0-1) the server event loop was busy; admissions are paced above the target while tenants compete.',
      registers: [registry],
      collect() {
        this.set(load().utilization);
      },
    });
    new Gauge({
      name: 'stratus_admission_rate_limit',
      help: 'Invocations per second admitted while the node paces admissions to keep event-loop headroom; 0 when not pacing.',
      registers: [registry],
      collect() {
        this.set(load().rate ?? 0);
      },
    });
    new Counter({
      name: 'stratus_admissions_paced_total',
      help: 'Invocations admitted through the pacer, i.e. while the node was keeping event-loop headroom for other tenants.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(load().paced);
      },
    });
  }

  return registry;
}
