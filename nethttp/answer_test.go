package nethttp_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
)

// A Guard renders each rejection it sees again only once; what it sends
// must stay exactly what the package's WriteError sends for the same error,
// whichever errors came before. More distinct errors than the Guard keeps,
// in an order that revisits each, make it both reuse and replace answers.
func TestAGuardAnswersEveryErrorAsWriteErrorDoes(t *testing.T) {
	t.Parallel()
	reasons := []reason.Code{
		reason.TokenMissing, reason.RequestMalformed, reason.MultipleTokens,
		reason.TokenTooLarge, reason.TokenMalformed, reason.HeaderUnsupported,
		reason.AlgorithmNotAllowed, reason.IssuerInvalid, reason.KeyNotFound,
		reason.SignatureInvalid, reason.ClaimInvalid, reason.ClaimMissing,
		reason.TokenExpired, reason.TokenNotYetValid, reason.TokenIssuedInFuture,
		reason.TokenTooOld, reason.AudienceInvalid, reason.TypeInvalid,
		reason.TokenKindInvalid, reason.BindingUnverified, reason.ClientNotAllowed,
		reason.InsufficientScope, reason.JWKSUnavailable, reason.TokenRevoked,
		reason.RevocationUnavailable,
	}
	var errs []error
	for _, r := range reasons {
		errs = append(errs,
			&middleware.Error{Reason: r},
			&middleware.Error{Reason: r, Description: "The access token expired"},
			&middleware.Error{Reason: r, Description: "Line\r\nbreak \"quoted\" <b>&"},
		)
	}
	var nilErr *middleware.Error
	errs = append(errs,
		&middleware.Error{Reason: reason.InsufficientScope, Scopes: []string{"items:read"}},
		&middleware.Error{Reason: reason.InsufficientScope, Scopes: []string{"items:write", "admin"}},
		fmt.Errorf("wrapped: %w", &middleware.Error{Reason: reason.TokenExpired, Description: "The access token expired"}),
		middleware.ErrInvalidToken, errors.New("database down"), nilErr, nil,
	)
	for _, realm := range []string{"api", `or"ders`} {
		g := nethttp.NewGuard(nil, nethttp.WithRealm(realm))
		for round := range 3 {
			for i := range errs {
				err := errs[(i*7+round)%len(errs)]
				want := httptest.NewRecorder()
				nethttp.WriteError(want, err, realm)
				got := httptest.NewRecorder()
				g.WriteError(got, httptest.NewRequest(http.MethodGet, "/", nil), err)
				if got.Code != want.Code || !reflect.DeepEqual(got.Header(), want.Header()) || got.Body.String() != want.Body.String() {
					t.Fatalf("realm %q, %v: the Guard answers %d %v %q; WriteError %d %v %q", realm, err,
						got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
				}
				if resp := g.Response(err); resp != middleware.ResponseFor(err, realm) {
					t.Fatalf("realm %q, %v: Response %+v, ResponseFor %+v", realm, err, resp, middleware.ResponseFor(err, realm))
				}
			}
		}
	}
}

// A realm no header can carry is refused when the guard is built, not
// stripped at every answer; any other realm is quoted (RFC 9110 §5.6.4).
func TestARealmIsValidatedWhenConfigured(t *testing.T) {
	for _, realm := range []string{"api\r\nSet-Cookie: x=1", "a\x00b", "del\x7f"} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "control character") {
					t.Errorf("realm %q: %v", realm, r)
				}
			}()
			nethttp.NewGuard(nil, nethttp.WithRealm(realm))
		}()
	}
	g := nethttp.NewGuard(nil, nethttp.WithRealm("my \"api\" \\ v2\tBücher"))
	got := g.Response(&middleware.Error{Reason: reason.TokenMissing}).WWWAuthenticate
	if want := `Bearer realm="my \"api\" \\ v2` + "\tBücher\""; got != want {
		t.Fatalf("WWW-Authenticate %q, want %q", got, want)
	}
}
