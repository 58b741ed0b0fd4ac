package otelguard

import (
	"context"
	"sync"

	"github.com/jwtguard/jwtguard/internal/statsx"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// instruments are the metrics, named as OpenTelemetry's conventions ask
// (dotted, unit apart; an exporter to Prometheus turns
// jwtguard.verifications into jwtguard_verifications_total and
// jwtguard.verification.duration into
// jwtguard_verification_duration_seconds, the prometheus module's names).
type instruments struct {
	verifications, cacheHits, fetches                   metric.Int64Counter
	forced, rateLimited, skipped, alarms                metric.Int64Counter
	duration, fetchDuration                             metric.Float64Histogram
	hasKeys, stale, keys                                metric.Int64ObservableGauge
	age                                                 metric.Float64ObservableGauge
	cacheEntries, cacheBytes, cacheMaxEntries, cacheMax metric.Int64ObservableUpDownCounter
	revEntries, revMaxEntries                           metric.Int64ObservableUpDownCounter
	revSyncAge                                          metric.Float64ObservableGauge
	revStale                                            metric.Int64ObservableGauge

	// byKey keeps the attribute sets of the verification counters, so
	// that recording one builds none (and allocates nothing).
	byKey sync.Map // verificationKey -> *verificationAttrs
}

type verificationKey struct {
	accepted bool
	reason   reason.Code
	issuer   string
}

type verificationAttrs struct {
	count  []metric.AddOption    // outcome, reason, issuer
	issuer []metric.AddOption    // issuer
	timing []metric.RecordOption // outcome, issuer
}

// verificationBuckets span 10 µs (a cache hit) to 2.6 s (a wait for a slow
// key-set fetch), in steps of 4: the prometheus module's.
var verificationBuckets = []float64{0.00001, 0.00004, 0.00016, 0.00064, 0.00256, 0.01024, 0.04096, 0.16384, 0.65536, 2.62144}

var fetchBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func (in *instruments) init(m metric.Meter, observe metric.Callback) error {
	var errs [22]error
	in.verifications, errs[0] = m.Int64Counter("jwtguard.verifications", metric.WithUnit("{verification}"),
		metric.WithDescription("Tokens verified, by outcome (accepted, rejected), reason code (refusals) and configured issuer (when one matched)."))
	in.duration, errs[1] = m.Float64Histogram("jwtguard.verification.duration", metric.WithUnit("s"),
		metric.WithDescription("How long a verification took, key fetches it waited for included."),
		metric.WithExplicitBucketBoundaries(verificationBuckets...))
	in.cacheHits, errs[2] = m.Int64Counter("jwtguard.token_cache.hits", metric.WithUnit("{verification}"),
		metric.WithDescription("Verifications answered from the verified-token cache."))
	in.fetches, errs[3] = m.Int64Counter("jwtguard.jwks.fetches", metric.WithUnit("{fetch}"),
		metric.WithDescription("Key-set fetches (discovery and JWKS), by result (success, failure) and the HTTP status of the last answer (absent without one)."))
	in.fetchDuration, errs[4] = m.Float64Histogram("jwtguard.jwks.fetch.duration", metric.WithUnit("s"),
		metric.WithDescription("How long a key-set fetch took."), metric.WithExplicitBucketBoundaries(fetchBuckets...))
	in.forced, errs[5] = m.Int64Counter("jwtguard.jwks.unknown_kid_refreshes", metric.WithUnit("{fetch}"),
		metric.WithDescription("Key-set fetches forced by a token naming a kid the set lacked."))
	in.rateLimited, errs[6] = m.Int64Counter("jwtguard.jwks.refreshes_rate_limited", metric.WithUnit("{verification}"),
		metric.WithDescription("Tokens refused for an unknown kid without a fetch, the last fetch a request started being too recent."))
	in.skipped, errs[7] = m.Int64Counter("jwtguard.jwks.keys_skipped", metric.WithUnit("{key}"),
		metric.WithDescription("Keys of a fetched set that were not usable and were skipped."))
	in.alarms, errs[8] = m.Int64Counter("jwtguard.jwks.key_alarms", metric.WithUnit("{alarm}"),
		metric.WithDescription("Key sets holding key material that must never be public, or an ambiguous kid. Investigate."))
	in.hasKeys, errs[9] = m.Int64ObservableGauge("jwtguard.jwks.keys_available", metric.WithUnit("1"),
		metric.WithDescription("1 when a key set was ever obtained for the issuer, else 0."))
	in.stale, errs[10] = m.Int64ObservableGauge("jwtguard.jwks.stale", metric.WithUnit("1"),
		metric.WithDescription("1 when no key set was obtained for the issuer, or the one in use is older than RemoteKeys.MaxStaleness: its tokens get 503."))
	in.age, errs[11] = m.Float64ObservableGauge("jwtguard.jwks.age", metric.WithUnit("s"),
		metric.WithDescription("Time since the key set in use was fetched."))
	in.keys, errs[12] = m.Int64ObservableGauge("jwtguard.jwks.keys", metric.WithUnit("{key}"),
		metric.WithDescription("Keys in the set in use."))
	in.cacheEntries, errs[13] = m.Int64ObservableUpDownCounter("jwtguard.token_cache.entries", metric.WithUnit("{entry}"),
		metric.WithDescription("Entries counted against the verified-token cache's bound."))
	in.cacheBytes, errs[14] = m.Int64ObservableUpDownCounter("jwtguard.token_cache.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes counted against the verified-token cache's bound."))
	in.cacheMaxEntries, errs[15] = m.Int64ObservableUpDownCounter("jwtguard.token_cache.max_entries", metric.WithUnit("{entry}"),
		metric.WithDescription("The verified-token cache's bound on entries."))
	in.cacheMax, errs[16] = m.Int64ObservableUpDownCounter("jwtguard.token_cache.max_size", metric.WithUnit("By"),
		metric.WithDescription("The verified-token cache's bound on bytes."))
	in.revEntries, errs[17] = m.Int64ObservableUpDownCounter("jwtguard.revocation.entries", metric.WithUnit("{entry}"),
		metric.WithDescription("Revocations held by the revocation stores the verifiers check (for Redis, the local copy)."))
	in.revMaxEntries, errs[18] = m.Int64ObservableUpDownCounter("jwtguard.revocation.max_entries", metric.WithUnit("{entry}"),
		metric.WithDescription("The revocation stores' bound on entries."))
	in.revSyncAge, errs[19] = m.Float64ObservableGauge("jwtguard.revocation.sync.age", metric.WithUnit("s"),
		metric.WithDescription("Time since the last successful sync of a shared revocation store (Redis) began; the oldest of them."))
	in.revStale, errs[20] = m.Int64ObservableGauge("jwtguard.revocation.stale", metric.WithUnit("1"),
		metric.WithDescription("1 when a shared revocation store is past its staleness bound: checks fail closed (503), or pass if it fails open."))
	if err := firstErr(errs[:21]); err != nil {
		return err
	}
	_, errs[21] = m.RegisterCallback(observe, in.hasKeys, in.stale, in.age, in.keys,
		in.cacheEntries, in.cacheBytes, in.cacheMaxEntries, in.cacheMax,
		in.revEntries, in.revMaxEntries, in.revSyncAge, in.revStale)
	return errs[21]
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// record counts e, in ctx (its exemplars link to the request's trace).
func (in *instruments) record(ctx context.Context, e *middleware.Event) {
	switch e.Kind {
	case middleware.EventAccepted, middleware.EventRejected:
		a := in.attrs(verificationKey{accepted: e.Kind == middleware.EventAccepted, reason: e.Reason, issuer: e.Issuer})
		in.verifications.Add(ctx, 1, a.count...)
		in.duration.Record(ctx, e.Duration.Seconds(), a.timing...)
		if e.CacheHit {
			in.cacheHits.Add(ctx, 1, a.issuer...)
		}
		if e.RateLimited {
			in.rateLimited.Add(ctx, 1, a.issuer...)
		}
	case middleware.EventKeysRefreshed, middleware.EventKeysRefreshFailed:
		result := "success"
		if e.Kind == middleware.EventKeysRefreshFailed {
			result = "failure"
		}
		issuer := metric.WithAttributes(attrIssuer.String(e.Issuer))
		timing := metric.WithAttributes(attrIssuer.String(e.Issuer), attrResult.String(result))
		count := timing
		if e.Status >= 100 && e.Status <= 599 { // a status no server sends is none
			count = metric.WithAttributes(attrIssuer.String(e.Issuer), attrResult.String(result), attrStatus.Int(e.Status))
		}
		in.fetches.Add(ctx, 1, count)
		in.fetchDuration.Record(ctx, e.Duration.Seconds(), timing)
		if e.Forced {
			in.forced.Add(ctx, 1, issuer)
		}
	case middleware.EventKeySkipped:
		in.skipped.Add(ctx, 1, metric.WithAttributes(attrIssuer.String(e.Issuer)))
	case middleware.EventKeyAlarm:
		in.alarms.Add(ctx, 1, metric.WithAttributes(attrIssuer.String(e.Issuer)))
	}
}

// attrs returns the attribute sets of k, built on first use. An absent
// attribute is left out rather than empty: an accepted token has no
// reason, a token of no configured issuer no issuer.
func (in *instruments) attrs(k verificationKey) *verificationAttrs {
	if a, ok := in.byKey.Load(k); ok {
		return a.(*verificationAttrs)
	}
	outcome := attrOutcome.String("rejected")
	if k.accepted {
		outcome = attrOutcome.String("accepted")
	}
	var count, issuer, timing []attribute.KeyValue
	count = append(count, outcome)
	timing = append(timing, outcome)
	if k.reason != "" {
		count = append(count, attrReason.String(string(k.reason)))
	}
	if k.issuer != "" {
		iss := attrIssuer.String(k.issuer)
		count, issuer, timing = append(count, iss), append(issuer, iss), append(timing, iss)
	}
	a := &verificationAttrs{
		count:  []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(count...))},
		issuer: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(issuer...))},
		timing: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(timing...))},
	}
	got, _ := in.byKey.LoadOrStore(k, a)
	return got.(*verificationAttrs)
}

// observe reads the watched verifiers' state, at each collection.
func (t *Telemetry) observe(_ context.Context, o metric.Observer) error {
	t.mu.Lock()
	verifiers := append([]*middleware.Verifier(nil), t.verifiers...)
	t.mu.Unlock()
	in := &t.inst
	var entries, bytes, maxEntries, maxBytes int64
	var stores statsx.Revocations
	for _, v := range verifiers {
		s, _ := statsx.Read(v)
		stores.Add(s.Revocation)
		for _, is := range s.Issuers {
			iss := metric.WithAttributes(attrIssuer.String(is.URL))
			o.ObserveInt64(in.hasKeys, b2i(is.HaveKeys), iss)
			o.ObserveInt64(in.keys, int64(is.Keys), iss)
			if is.Remote {
				o.ObserveInt64(in.stale, b2i(is.Stale || !is.HaveKeys), iss)
				if is.HaveKeys {
					o.ObserveFloat64(in.age, is.Age.Seconds(), iss)
				}
			}
		}
		entries += int64(s.CacheEntries)
		bytes += int64(s.CacheBytes)
		maxEntries += int64(s.CacheMaxEntries)
		maxBytes += int64(s.CacheMaxBytes)
	}
	if len(verifiers) > 0 {
		o.ObserveInt64(in.cacheEntries, entries)
		o.ObserveInt64(in.cacheBytes, bytes)
		o.ObserveInt64(in.cacheMaxEntries, maxEntries)
		o.ObserveInt64(in.cacheMax, maxBytes)
	}
	if stores.Any {
		o.ObserveInt64(in.revEntries, int64(stores.Entries))
		o.ObserveInt64(in.revMaxEntries, int64(stores.MaxEntries))
	}
	if stores.Shared {
		o.ObserveFloat64(in.revSyncAge, stores.SyncAge.Seconds())
		o.ObserveInt64(in.revStale, b2i(stores.Stale))
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
