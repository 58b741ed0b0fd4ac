package bench

import (
	"context"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/jwtauth/v5"
	"github.com/golang-jwt/jwt/v5"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"
)

// Audience is the audience every peer requires.
const Audience = "bench-api"

// Env is the issuer every peer trusts.
type Env struct {
	Issuer *jwttest.Issuer
	Public *rsa.PublicKey
}

// NewEnv starts the issuer (RS256).
func NewEnv() (*Env, error) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(Audience), jwttest.WithTokenLifetime(24*time.Hour))
	if err != nil {
		return nil, err
	}
	return &Env{Issuer: iss, Public: iss.PublicKey(iss.KeyIDs()[0]).(*rsa.PublicKey)}, nil
}

// Peer is one implementation behind one http.Handler that answers 204 to a
// request with a valid token and 401 otherwise.
type Peer struct {
	Name    string
	Handler http.Handler
	Close   func()
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Peers builds every implementation against env, all with keys fetched
// from the issuer's JWKS before the first request.
func Peers(ctx context.Context, env *Env) ([]Peer, error) {
	gin.SetMode(gin.ReleaseMode)
	var peers []Peer
	add := func(p Peer) { peers = append(peers, p) }
	jwtguard := func(opts ...middleware.Option) (*middleware.Verifier, error) {
		return middleware.New([]middleware.Issuer{{URL: env.Issuer.URL(), Audiences: []string{Audience}}},
			append([]middleware.Option{middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithLogger(quiet)}, opts...)...)
	}
	for _, c := range []struct {
		name  string
		cache bool
	}{{"jwtguard nethttp (no cache)", false}, {"jwtguard nethttp (cache hit)", true}} {
		opts := []middleware.Option{}
		if !c.cache {
			opts = append(opts, middleware.WithTokenCache(0, 0))
		}
		v, err := jwtguard(opts...)
		if err != nil {
			return nil, err
		}
		add(Peer{Name: c.name, Handler: nethttp.Protect(v)(ok), Close: func() { _ = v.Close() }})
	}
	v, err := jwtguard(middleware.WithTokenCache(0, 0))
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(chiguard.Protect(v))
	r.Get("/", ok)
	add(Peer{Name: "jwtguard chi (no cache)", Handler: r, Close: func() { _ = v.Close() }})

	v, err = jwtguard(middleware.WithTokenCache(0, 0))
	if err != nil {
		return nil, err
	}
	g := gin.New()
	g.GET("/", ginguard.Protect(v), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	add(Peer{Name: "jwtguard gin (no cache)", Handler: g, Close: func() { _ = v.Close() }})

	v, err = jwtguard(middleware.WithTokenCache(0, 0))
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.GET("/", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, echoguard.Protect(v))
	add(Peer{Name: "jwtguard echo (no cache)", Handler: e, Close: func() { _ = v.Close() }})

	// auth0/go-jwt-middleware with its caching JWKS provider (discovery).
	issURL, err := url.Parse(env.Issuer.URL())
	if err != nil {
		return nil, err
	}
	provider := jwks.NewCachingProvider(issURL, time.Hour)
	val, err := validator.New(provider.KeyFunc, validator.RS256, env.Issuer.URL(), []string{Audience})
	if err != nil {
		return nil, err
	}
	add(Peer{Name: "auth0/go-jwt-middleware", Handler: jwtmiddleware.New(val.ValidateToken,
		jwtmiddleware.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusUnauthorized) }),
	).CheckJWT(ok), Close: func() {}})

	// go-chi/jwtauth with the issuer's public key (it reads no JWKS), and
	// the audience and issuer validated.
	ta := jwtauth.New("RS256", nil, env.Public, jwxjwt.WithAudience(Audience), jwxjwt.WithIssuer(env.Issuer.URL()))
	cr := chi.NewRouter()
	cr.Use(jwtauth.Verifier(ta), jwtauth.Authenticator(ta))
	cr.Get("/", ok)
	add(Peer{Name: "go-chi/jwtauth", Handler: cr, Close: func() {}})

	// echo-jwt with golang-jwt and keyfunc (JWKS).
	kf, err := keyfunc.NewDefaultCtx(ctx, []string{env.Issuer.JWKSURL()})
	if err != nil {
		return nil, err
	}
	parser := jwt.NewParser(jwt.WithAudience(Audience), jwt.WithIssuer(env.Issuer.URL()),
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired())
	ee := echo.New()
	ee.Use(echojwt.WithConfig(echojwt.Config{ParseTokenFunc: func(_ echo.Context, auth string) (any, error) {
		return parser.Parse(auth, kf.Keyfunc)
	}}))
	ee.GET("/", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	add(Peer{Name: "echo-jwt + golang-jwt + keyfunc", Handler: ee, Close: func() {}})

	// coreos/go-oidc: discovery, remote key set, verifier for the audience.
	prov, err := oidc.NewProvider(ctx, env.Issuer.URL())
	if err != nil {
		return nil, err
	}
	ov := prov.Verifier(&oidc.Config{ClientID: Audience, SupportedSigningAlgs: []string{"RS256"}})
	add(Peer{Name: "coreos/go-oidc", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if _, err := ov.Verify(r.Context(), raw); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ok(w, r)
	}), Close: func() {}})
	return peers, nil
}
