package middleware_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

func TestEveryReasonMapsToItsRFC6750Answer(t *testing.T) {
	t.Parallel()
	const invalid = `Bearer realm="api", error="invalid_token", error_description="`
	cases := []struct {
		reason   reason.Code
		category error
		status   int
		header   string // prefix of WWW-Authenticate
	}{
		{reason.TokenMissing, middleware.ErrNoToken, 401, `Bearer realm="api"`},
		{reason.RequestMalformed, middleware.ErrInvalidRequest, 400, `Bearer realm="api", error="invalid_request", error_description="`},
		{reason.MultipleTokens, middleware.ErrInvalidRequest, 400, `Bearer realm="api", error="invalid_request", error_description="`},
		{reason.TokenTooLarge, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenMalformed, middleware.ErrInvalidToken, 401, invalid},
		{reason.HeaderUnsupported, middleware.ErrInvalidToken, 401, invalid},
		{reason.AlgorithmNotAllowed, middleware.ErrInvalidToken, 401, invalid},
		{reason.IssuerInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.KeyNotFound, middleware.ErrInvalidToken, 401, invalid},
		{reason.SignatureInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.ClaimInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.ClaimMissing, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenExpired, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenNotYetValid, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenIssuedInFuture, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenTooOld, middleware.ErrInvalidToken, 401, invalid},
		{reason.AudienceInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.TypeInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.TokenKindInvalid, middleware.ErrInvalidToken, 401, invalid},
		{reason.BindingUnverified, middleware.ErrInvalidToken, 401, invalid},
		{reason.ClientNotAllowed, middleware.ErrInvalidToken, 401, invalid},
		{reason.InsufficientScope, middleware.ErrInsufficientScope, 403, `Bearer realm="api", error="insufficient_scope", error_description="`},
		{reason.JWKSUnavailable, middleware.ErrUnavailable, 503, ""},
		{reason.TokenRevoked, middleware.ErrInvalidToken, 401, invalid},
		{reason.RevocationUnavailable, middleware.ErrUnavailable, 503, ""},
	}
	// Every code package reason declares has its row: a new code cannot
	// go without an answer.
	listed := map[reason.Code]bool{}
	for _, tc := range cases {
		listed[tc.reason] = true
	}
	for _, c := range declaredReasons(t) {
		if !listed[c] {
			t.Errorf("reason %q has no row here", c)
		}
	}
	if n := len(declaredReasons(t)); n != len(cases) {
		t.Errorf("%d rows for %d declared codes", len(cases), n)
	}
	categories := []error{middleware.ErrNoToken, middleware.ErrInvalidRequest, middleware.ErrInvalidToken,
		middleware.ErrInsufficientScope, middleware.ErrUnavailable}
	for _, tc := range cases {
		t.Run(string(tc.reason), func(t *testing.T) {
			t.Parallel()
			secret := "eyJhbGciOiJSUzI1NiJ9.secret-token-material"
			err := fmt.Errorf("handler: %w", &middleware.Error{Reason: tc.reason, Err: errors.New(secret)})
			for _, c := range categories {
				if errors.Is(err, c) != (c == tc.category) {
					t.Fatalf("errors.Is(err, %v) = %v", c, !(c == tc.category))
				}
			}
			if !errors.Is(err, tc.reason) || middleware.ReasonOf(err) != tc.reason {
				t.Fatal("the reason is not found through the wrapping")
			}
			resp := middleware.ResponseFor(err, "api")
			if resp.Status != tc.status {
				t.Fatalf("status %d", resp.Status)
			}
			if tc.header == "" && resp.WWWAuthenticate != "" || !strings.HasPrefix(resp.WWWAuthenticate, tc.header) {
				t.Fatalf("WWW-Authenticate %q", resp.WWWAuthenticate)
			}
			if tc.reason == reason.TokenMissing && resp.WWWAuthenticate != `Bearer realm="api"` {
				t.Fatalf("no-credential challenge carries error details: %q", resp.WWWAuthenticate)
			}
			if (resp.RetryAfter > 0) != (tc.status == 503) {
				t.Fatalf("Retry-After %d", resp.RetryAfter)
			}
			body := resp.Body()
			var decoded map[string]string
			if err := json.Unmarshal(body, &decoded); err != nil || decoded["error"] == "" {
				t.Fatalf("body %s", body)
			}
			for _, s := range []string{string(body), resp.WWWAuthenticate, resp.Description} {
				if strings.Contains(s, "secret-token-material") || strings.Contains(s, "handler") {
					t.Fatalf("the cause leaked to the client: %s", s)
				}
			}
		})
	}
}

func TestInsufficientScopeNamesTheScopes(t *testing.T) {
	t.Parallel()
	err := &middleware.Error{Reason: reason.InsufficientScope, Scopes: []string{"items:write", `bad"scope`}}
	got := middleware.ResponseFor(err, "").WWWAuthenticate
	// A name that is no RFC 6749 scope-token is left out, never advertised
	// changed into another scope.
	want := `Bearer error="insufficient_scope", error_description="The access token does not grant the required access", scope="items:write"`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestDescriptionsCannotBreakTheHeader(t *testing.T) {
	t.Parallel()
	err := &middleware.Error{Reason: reason.TokenExpired, Description: "bad \"quote\" \\ and\r\nnewline é"}
	resp := middleware.ResponseFor(err, `my "api" \ v2`)
	want := `Bearer realm="my \"api\" \\ v2", error="invalid_token", error_description="bad quote  andnewline "`
	if resp.WWWAuthenticate != want {
		t.Fatalf("header %s\nwant   %s", resp.WWWAuthenticate, want)
	}
	if got := middleware.ResponseFor(err, "Bücher\r\n").WWWAuthenticate; !strings.HasPrefix(got, `Bearer realm="Bücher", `) {
		t.Fatalf("header %q", got)
	}
}

func TestUnknownErrorsAreServerErrorsWithoutDetail(t *testing.T) {
	t.Parallel()
	resp := middleware.ResponseFor(io.ErrUnexpectedEOF, "api")
	if resp.Status != 500 || resp.WWWAuthenticate != "" || strings.Contains(string(resp.Body()), "EOF") {
		t.Fatalf("%+v", resp)
	}
}

func TestErrorMessagesNeverContainTheToken(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	tok := mint(t, iss, map[string]any{"aud": "someone-else"})
	_, err := v.Verify(t.Context(), tok)
	wantReason(t, err, reason.AudienceInvalid)
	for _, seg := range segments(tok) {
		if strings.Contains(err.Error(), seg) {
			t.Fatalf("error %q contains a token segment", err)
		}
	}
}

// Body writes what ResponseFor builds directly; for any strings it must
// still be byte for byte what encoding/json writes.
func TestResponseBodyIsWhatEncodingJSONWrites(t *testing.T) {
	var all strings.Builder
	for c := range 0x80 {
		all.WriteByte(byte(c))
	}
	cases := []string{"", "invalid_token", "The access token expired", "a < b & c > d", `say "hi"`, `back\slash`,
		"tab\there", "é", "\u2028", "\xff", all.String()}
	for _, code := range cases {
		for _, desc := range cases {
			want, err := json.Marshal(struct {
				Error       string `json:"error"`
				Description string `json:"error_description,omitempty"`
			}{code, desc})
			if err != nil {
				t.Fatal(err)
			}
			if got := (middleware.Response{Error: code, Description: desc}).Body(); string(got) != string(want) {
				t.Fatalf("Body(%q, %q) = %s, want %s", code, desc, got, want)
			}
		}
	}
}

// declaredReasons returns the value of every constant of package reason, as
// its source declares them.
func declaredReasons(t *testing.T) []reason.Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "reason/reason.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []reason.Code
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			for _, v := range sp.(*ast.ValueSpec).Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("a reason constant that is not a literal: %T", v)
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, reason.Code(s))
			}
		}
	}
	if len(codes) < 25 {
		t.Fatalf("read %d codes from reason/reason.go", len(codes))
	}
	return codes
}
