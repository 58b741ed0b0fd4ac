// Package promguard exports a jwtguard verifier's figures to Prometheus.
//
//	m := promguard.New()
//	v, err := middleware.New(issuers, middleware.WithHook(m.Hook))
//	m.Watch(v)
//	prometheus.MustRegister(m)
//
// From the verifier's events: verifications by outcome, reason and
// issuer, their duration, cache hits; key-set fetches by result and HTTP
// status, their duration, the refreshes an unknown kid forced and those
// the rate limit refused, skipped keys and key alarms. Read at each
// scrape from the verifiers watched: whether each issuer has keys, their
// age, staleness and number, and the verified-token cache's fill.
//
// Every label value comes from the configuration or a fixed set: the
// configured issuer (never an iss a refused token chose: the core puts
// none in its events), the reason code, the outcome, the HTTP status of
// the issuer's own answers. No subject, client, kid or token is ever a
// label, so no token can add a series.
package promguard

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/jwtguard/jwtguard/internal/statsx"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is a prometheus.Collector of jwtguard's figures. Its Hook must
// be the verifiers' hook (middleware.WithHook); Watch adds a verifier
// whose state is read at each scrape. Safe for concurrent use.
type Metrics struct {
	verifications *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	cacheHits     *prometheus.CounterVec
	fetches       *prometheus.CounterVec
	fetchDuration *prometheus.HistogramVec
	forced        *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
	skipped       *prometheus.CounterVec
	alarms        *prometheus.CounterVec

	hasKeys, stale, age, keys  *prometheus.Desc
	cacheEntries, cacheBytes   *prometheus.Desc
	cacheMaxEntries, cacheMaxB *prometheus.Desc
	revEntries, revMaxEntries  *prometheus.Desc
	revSyncAge, revStale       *prometheus.Desc

	// counters keeps the children of the verification counters, so that
	// the hook finds one without building a label slice.
	counters sync.Map // counterKey -> *verification

	mu        sync.Mutex
	verifiers []*middleware.Verifier
}

type counterKey struct {
	accepted bool
	reason   reason.Code
	issuer   string
}

type verification struct {
	count, hits prometheus.Counter
	duration    prometheus.Observer
}

// New returns the collector, with no verifier watched yet.
func New() *Metrics {
	issuer := []string{"issuer"}
	return &Metrics{
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_verifications_total",
			Help: "Tokens verified, by outcome (accepted, rejected), reason code (empty when accepted) and configured issuer (empty when none matched)."},
			[]string{"outcome", "reason", "issuer"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jwtguard_verification_duration_seconds",
			Help:    "How long a verification took, key fetches it waited for included.",
			Buckets: prometheus.ExponentialBuckets(0.00001, 4, 10)}, []string{"outcome", "issuer"}),
		cacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_token_cache_hits_total",
			Help: "Verifications answered from the verified-token cache."}, issuer),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_jwks_fetches_total",
			Help: "Key-set fetches (discovery and JWKS), by result (success, failure) and the HTTP status of the last answer (none without one)."},
			[]string{"issuer", "result", "code"}),
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jwtguard_jwks_fetch_duration_seconds",
			Help: "How long a key-set fetch took.", Buckets: prometheus.DefBuckets}, []string{"issuer", "result"}),
		forced: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_jwks_unknown_kid_refreshes_total",
			Help: "Key-set fetches forced by a token naming a kid the set lacked."}, issuer),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_jwks_refreshes_rate_limited_total",
			Help: "Tokens refused for an unknown kid without a fetch, the last fetch a request started being too recent."}, issuer),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_jwks_keys_skipped_total",
			Help: "Keys of a fetched set that were not usable and were skipped."}, issuer),
		alarms: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jwtguard_jwks_key_alarms_total",
			Help: "Key sets holding key material that must never be public, or an ambiguous kid. Investigate."}, issuer),
		hasKeys: prometheus.NewDesc("jwtguard_jwks_keys_available", "1 when a key set was ever obtained for the issuer, else 0.", issuer, nil),
		stale:   prometheus.NewDesc("jwtguard_jwks_stale", "1 when no key set was obtained for the issuer, or the one in use is older than RemoteKeys.MaxStaleness: its tokens get 503.", issuer, nil),
		age:     prometheus.NewDesc("jwtguard_jwks_age_seconds", "Time since the key set in use was fetched.", issuer, nil),
		keys:    prometheus.NewDesc("jwtguard_jwks_keys", "Keys in the set in use.", issuer, nil),
		cacheEntries: prometheus.NewDesc("jwtguard_token_cache_entries",
			"Entries counted against the verified-token cache's bound.", nil, nil),
		cacheBytes:      prometheus.NewDesc("jwtguard_token_cache_bytes", "Bytes counted against the verified-token cache's bound.", nil, nil),
		cacheMaxEntries: prometheus.NewDesc("jwtguard_token_cache_max_entries", "The verified-token cache's bound on entries.", nil, nil),
		cacheMaxB:       prometheus.NewDesc("jwtguard_token_cache_max_bytes", "The verified-token cache's bound on bytes.", nil, nil),
		revEntries:      prometheus.NewDesc("jwtguard_revocation_entries", "Revocations held by the revocation stores the verifiers check (for Redis, the local copy).", nil, nil),
		revMaxEntries:   prometheus.NewDesc("jwtguard_revocation_max_entries", "The revocation stores' bound on entries.", nil, nil),
		revSyncAge: prometheus.NewDesc("jwtguard_revocation_sync_age_seconds",
			"Time since the last successful sync of a shared revocation store (Redis) began; the oldest of them.", nil, nil),
		revStale: prometheus.NewDesc("jwtguard_revocation_stale",
			"1 when a shared revocation store is past its staleness bound: checks fail closed (503), or pass if it fails open.", nil, nil),
	}
}

// Watch adds v to the verifiers whose state each scrape reads. Two
// verifiers configured with the same issuer cannot both be watched: their
// series would collide.
func (m *Metrics) Watch(v *middleware.Verifier) error {
	s, ok := statsx.Read(v)
	if !ok {
		return fmt.Errorf("promguard: not a verifier")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.verifiers {
		ws, _ := statsx.Read(w)
		if u, ok := statsx.SharedIssuer(ws, s); ok {
			return fmt.Errorf("promguard: issuer %q is watched already", u)
		}
	}
	m.verifiers = append(m.verifiers, v)
	return nil
}

// Unwatch stops reading v's state: call it when v is closed (a
// configuration reload), before watching its successor, or its key sets
// would read as ever older, and stale.
func (m *Metrics) Unwatch(v *middleware.Verifier) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.verifiers = slices.DeleteFunc(m.verifiers, func(w *middleware.Verifier) bool { return w == v })
}

// Hook counts one event: give it to middleware.WithHook.
func (m *Metrics) Hook(e middleware.Event) {
	switch e.Kind {
	case middleware.EventAccepted, middleware.EventRejected:
		k := counterKey{accepted: e.Kind == middleware.EventAccepted, reason: e.Reason, issuer: e.Issuer}
		c, ok := m.counters.Load(k)
		if !ok {
			c, _ = m.counters.LoadOrStore(k, m.newVerification(k))
		}
		vc := c.(*verification)
		vc.count.Inc()
		vc.duration.Observe(e.Duration.Seconds())
		if e.CacheHit {
			vc.hits.Inc()
		}
		if e.RateLimited {
			m.rateLimited.WithLabelValues(e.Issuer).Inc()
		}
	case middleware.EventKeysRefreshed, middleware.EventKeysRefreshFailed:
		result := "success"
		if e.Kind == middleware.EventKeysRefreshFailed {
			result = "failure"
		}
		m.fetches.WithLabelValues(e.Issuer, result, statusLabel(e.Status)).Inc()
		m.fetchDuration.WithLabelValues(e.Issuer, result).Observe(e.Duration.Seconds())
		if e.Forced {
			m.forced.WithLabelValues(e.Issuer).Inc()
		}
	case middleware.EventKeySkipped:
		m.skipped.WithLabelValues(e.Issuer).Inc()
	case middleware.EventKeyAlarm:
		m.alarms.WithLabelValues(e.Issuer).Inc()
	}
}

func (m *Metrics) newVerification(k counterKey) *verification {
	outcome := "rejected"
	if k.accepted {
		outcome = "accepted"
	}
	return &verification{
		count:    m.verifications.WithLabelValues(outcome, string(k.reason), k.issuer),
		hits:     m.cacheHits.WithLabelValues(k.issuer),
		duration: m.duration.WithLabelValues(outcome, k.issuer),
	}
}

// statusLabel is an HTTP status as a label: a number from 100 to 599, or
// "none" (no answer, or one no server sends).
func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return "none"
	}
	return strconv.Itoa(code)
}

// Describe sends the descriptions of every metric.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.vecs() {
		c.Describe(ch)
	}
	for _, d := range []*prometheus.Desc{m.hasKeys, m.stale, m.age, m.keys, m.cacheEntries, m.cacheBytes, m.cacheMaxEntries, m.cacheMaxB,
		m.revEntries, m.revMaxEntries, m.revSyncAge, m.revStale} {
		ch <- d
	}
}

// Collect sends the counters and histograms, and the watched verifiers'
// state as it is now.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.vecs() {
		c.Collect(ch)
	}
	m.mu.Lock()
	verifiers := append([]*middleware.Verifier(nil), m.verifiers...)
	m.mu.Unlock()
	var entries, bytes, maxEntries, maxBytes float64
	var stores statsx.Revocations
	for _, v := range verifiers {
		s, _ := statsx.Read(v)
		stores.Add(s.Revocation)
		for _, is := range s.Issuers {
			ch <- prometheus.MustNewConstMetric(m.hasKeys, prometheus.GaugeValue, b2f(is.HaveKeys), is.URL)
			ch <- prometheus.MustNewConstMetric(m.keys, prometheus.GaugeValue, float64(is.Keys), is.URL)
			if is.Remote {
				ch <- prometheus.MustNewConstMetric(m.stale, prometheus.GaugeValue, b2f(is.Stale || !is.HaveKeys), is.URL)
				if is.HaveKeys {
					ch <- prometheus.MustNewConstMetric(m.age, prometheus.GaugeValue, is.Age.Seconds(), is.URL)
				}
			}
		}
		entries += float64(s.CacheEntries)
		bytes += float64(s.CacheBytes)
		maxEntries += float64(s.CacheMaxEntries)
		maxBytes += float64(s.CacheMaxBytes)
	}
	if len(verifiers) > 0 {
		ch <- prometheus.MustNewConstMetric(m.cacheEntries, prometheus.GaugeValue, entries)
		ch <- prometheus.MustNewConstMetric(m.cacheBytes, prometheus.GaugeValue, bytes)
		ch <- prometheus.MustNewConstMetric(m.cacheMaxEntries, prometheus.GaugeValue, maxEntries)
		ch <- prometheus.MustNewConstMetric(m.cacheMaxB, prometheus.GaugeValue, maxBytes)
	}
	if stores.Any {
		ch <- prometheus.MustNewConstMetric(m.revEntries, prometheus.GaugeValue, float64(stores.Entries))
		ch <- prometheus.MustNewConstMetric(m.revMaxEntries, prometheus.GaugeValue, float64(stores.MaxEntries))
	}
	if stores.Shared {
		ch <- prometheus.MustNewConstMetric(m.revSyncAge, prometheus.GaugeValue, stores.SyncAge.Seconds())
		ch <- prometheus.MustNewConstMetric(m.revStale, prometheus.GaugeValue, b2f(stores.Stale))
	}
}

func (m *Metrics) vecs() []prometheus.Collector {
	return []prometheus.Collector{m.verifications, m.duration, m.cacheHits, m.fetches, m.fetchDuration, m.forced, m.rateLimited, m.skipped, m.alarms}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
