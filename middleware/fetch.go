package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const maxRedirects = 3

// withRedirectPolicy returns a copy of hc whose redirects must also pass
// checkRedirect (at most 3 redirects, same origin only), after the caller's own
// policy if it has one; hc itself is not changed.
func withRedirectPolicy(hc *http.Client) *http.Client {
	c := *hc
	own := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRedirect(req, via); err != nil {
			return err
		}
		if own != nil {
			return own(req, via)
		}
		return nil
	}
	return &c
}

// defaultHTTPClient has bounded dials, TLS handshakes and header waits, and
// follows only same-origin redirects that do not downgrade https.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 10 * time.Second
	t.MaxIdleConnsPerHost = 2
	return &http.Client{Transport: t, CheckRedirect: checkRedirect}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return errors.New("cross-origin redirect refused")
	}
	return nil
}

// fetchError is a failed fetch; retryAfter is the server's Retry-After, if any.
type fetchError struct {
	err        error
	retryAfter time.Duration
}

func (e *fetchError) Error() string { return e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

// get fetches u with a bounded body. The error never contains the body: only
// its size and a hash, so a hostile endpoint cannot inject into logs.
func get(ctx context.Context, hc *http.Client, u string, maxSize int64, noCache bool, rep *fetchReport) ([]byte, http.Header, error) {
	rep.url, rep.status, rep.bytes = redact(u), 0, 0
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, redactURLError(err)
	}
	req.Header.Set("Accept", "application/json")
	if noCache {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, redactURLError(err)
	}
	defer resp.Body.Close()
	rep.status = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, nil, &fetchError{
			err:        fmt.Errorf("GET %s: status %d", redact(u), resp.StatusCode),
			retryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	rep.bytes = len(body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: reading body: %w", redact(u), err)
	}
	if int64(len(body)) > maxSize {
		return nil, nil, fmt.Errorf("GET %s: body larger than %d bytes", redact(u), maxSize)
	}
	return body, resp.Header, nil
}

// bodyFingerprint identifies a body in logs without quoting it.
func bodyFingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%d bytes, sha256 %s", len(b), hex.EncodeToString(sum[:8]))
}

// redact drops userinfo and query from a URL for logs.
// redactURLError redacts the URL a *url.Error quotes (the whole URL, query
// string included), keeping the error's type (Timeout, Temporary) and cause.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(ue.URL)
	}
	return err
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return p.String()
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// maxAge reads Cache-Control max-age; ok is false when there is none.
// no-store and no-cache count as max-age 0 (the caller clamps it).
func maxAge(h http.Header) (time.Duration, bool) {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			d = strings.TrimSpace(strings.ToLower(d))
			if d == "no-store" || d == "no-cache" {
				return 0, true
			}
			if s, ok := strings.CutPrefix(d, "max-age="); ok {
				n, err := strconv.ParseInt(strings.Trim(s, `"`), 10, 64)
				if err != nil || n < 0 {
					return 0, false
				}
				if n > int64(365*24*time.Hour/time.Second) {
					n = int64(365 * 24 * time.Hour / time.Second)
				}
				return time.Duration(n) * time.Second, true
			}
		}
	}
	return 0, false
}

// checkKeyURL enforces https for anything keys come from, except loopback
// hosts (for development and tests) or when explicitly allowed.
func checkKeyURL(raw string, insecureHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if insecureHTTP || isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s uses http: keys must come over https (loopback excepted)", redact(raw))
	}
	return fmt.Errorf("%s: scheme must be https", redact(raw))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// discover reads the OIDC discovery document of issuer and returns its
// jwks_uri. The document's issuer must equal the configured one exactly
// (OIDC Discovery §4.3).
func discover(ctx context.Context, hc *http.Client, issuer string, maxSize int64, insecureHTTP, sameOrigin bool, rep *fetchReport) (string, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	body, _, err := get(ctx, hc, u, maxSize, false, rep)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	return parseDiscovery(body, u, issuer, insecureHTTP, sameOrigin)
}

// parseDiscovery reads a discovery document fetched from docURL and
// returns its jwks_uri, after checking that its issuer is the configured one
// and that the jwks_uri is an https URL: plain http only for an
// issuer that is itself an http loopback URL, or under insecureHTTP; on the
// issuer's own origin when sameOrigin.
func parseDiscovery(body []byte, docURL, issuer string, insecureHTTP, sameOrigin bool) (string, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("discovery: %s is not a discovery document (%s)", redact(docURL), bodyFingerprint(body))
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("discovery: document issuer %q does not equal the configured issuer %q%s",
			clip(doc.Issuer), issuer, issuerHint(doc.Issuer, issuer))
	}
	if doc.JWKSURI == "" {
		return "", errors.New("discovery: no jwks_uri")
	}
	if err := checkKeyURL(doc.JWKSURI, insecureHTTP); err != nil {
		return "", fmt.Errorf("discovery: jwks_uri: %w", err)
	}
	ju, _ := url.Parse(doc.JWKSURI) // checkKeyURL parsed it
	iu, err := url.Parse(issuer)
	if err != nil {
		return "", fmt.Errorf("discovery: the issuer %q is not a URL", issuer)
	}
	if ju.Scheme == "http" && iu.Scheme != "http" && !insecureHTTP {
		// A loopback http jwks_uri is for an issuer on loopback: an https
		// issuer's document must not send the keys fetch in the clear.
		return "", fmt.Errorf("discovery: jwks_uri %s uses http for an https issuer", redact(doc.JWKSURI))
	}
	if sameOrigin && origin(ju) != origin(iu) {
		return "", fmt.Errorf("discovery: jwks_uri %s is not on the issuer's origin %s", redact(doc.JWKSURI), origin(iu))
	}
	return doc.JWKSURI, nil
}

// origin is u's scheme, host and port, lower case, the default port
// explicit.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// issuerHint explains the near misses that cause most issuer mismatches.
func issuerHint(got, want string) string {
	switch {
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		return " (they differ only by a trailing slash; iss must match exactly)"
	case schemeless(got) == schemeless(want):
		return " (they differ only by scheme; iss must match exactly)"
	case strings.EqualFold(got, want):
		return " (they differ only by letter case; iss must match exactly)"
	}
	return ""
}

func schemeless(s string) string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		return strings.TrimSuffix(rest, "/")
	}
	return s
}

// clip bounds untrusted text before it goes into an error message.
func clip(s string) string {
	const n = 120
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
