package rbac

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/internal/claimsx"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/middleware"
)

// The differential test of the mapper's raw reading: for every payload, the
// authorities a mapper reads from its verification's scan (attached to the
// verifier, first request and cache hit), and from the payload when it was
// not attached, are exactly what MapClaims reads from Claims.Map's decoding
// (the reading of every earlier release), mismatches reported included.

// mapperPayloads are the members of the seeds: each preset's realistic
// claims, the wrong shapes, and the escapes two readers could read apart.
var mapperPayloads = []string{
	``,
	`"realm_access":{"roles":["offline_access","admin"]},"resource_access":{"orders":{"roles":["editor"]},"account":{"roles":["view-profile"]}},"scope":"openid profile email","groups":["/staff"]`,
	`"permissions":["read:orders","write:orders"],"scope":"openid read:orders","https://example.com/roles":["admin"]`,
	`"roles":["Orders.Admin"],"scp":"User.Read Orders.Read","groups":["6f1c3c6a-0f4e-4d3b-9a57-0b5b2f0c1d2e"]`,
	`"scp":["orders:read","openid"],"groups":["Everyone","Admins"]`,
	`"cognito:groups":["admins"],"scope":"aws.cognito.signin.user.admin orders/read"`,
	`"urn:zitadel:iam:org:project:roles":{"viewer":{},"admin":{"123":"acme.example"}}`,
	`"role":"editor","scope":"items:* other","resource_access":{"orders.api":{"roles":["x","y"]}}`,
	`"roles":"admin"`, `"roles":[1,"a"]`, `"roles":["a",null]`, `"roles":[]`, `"roles":["a","a","",["b"]]`,
	`"scope":["a"]`, `"scope":null`, `"scope":""`, `"scope":"  a\tb\n c  a "`, `"scope":{"a":1}`, `"scope":1e3`,
	`"realm_access":[]`, `"realm_access":{"roles":{"a":1}}`, `"realm_access":"admin"`, `"realm_access":{"roles":null}`,
	`"resource_access":{"orders":[]}`, `"resource_access":{"orders":{"roles":[true]}}`,
	`"scp":true`, `"groups":[["a"]]`, `"groups":false`, `"urn:zitadel:iam:org:project:roles":["admin"]`,
	`"role":42`, `"role":""`, `"role":{"admin":true}`, `"permissions":{}`,
	`"rol\u0065s":["\u0061dmin","x\"y","\\"]`, `"scope":"a\u00a0b\u2003c d"`, `"roles":["\ud800","\udc00\ud83d\ude00"]`,
	`"realm_access":{"r\u006fles":["admin"],"other":{"roles":["no"]}}`, `"https://example.com/roles":["a"],"scope":"editor items:write"`,
	`"roles":["editor"],"scope":"items:*"`, `"roles" : [ "a" , "b" ] , "scope" : " x "`,
	`"resource_access":{"orders\u002eapi":{"roles":["dotted"]},"orders":{ "roles" : [ "plain" ] }}`,
	`"urn:zitadel:iam:org:project:roles":{"\u0062":1,"a":2,"\u00e9":3,"z":{"x":[1]}}`,
	`"realm_access":{ "roles" : ["x"] , "rol\u0065s2":[] }`,
}

// mapLab verifies payloads and compares the readings.
type mapLab struct {
	mu       sync.Mutex
	v        *middleware.Verifier
	secret   []byte
	alg      *jose.Alg
	attached []*Mapper // attached to v; each logs its mismatches in logs
	twins    []*Mapper // the same sources, not attached: they read the payload
	refs     []*Mapper // the same sources: MapClaims on Claims.Map
	logs     map[*Mapper]*[]Mismatch
	n        int // tokens made: each has its own jti, so its first verification is never a cache hit
}

const labIssuer = "https://id.example.com"

func newMapLab(tb testing.TB) *mapLab {
	clk := func() time.Time { return time.Unix(1_800_000_000, 0) }
	lab := &mapLab{secret: []byte("a secret of at least thirty-two bytes, for HS256"), logs: map[*Mapper]*[]Mismatch{}}
	lab.alg, _ = jose.LookupAlg("HS256")
	v, err := middleware.New([]middleware.Issuer{{URL: labIssuer, Audiences: []string{"api"},
		Keys: []middleware.Key{{ID: "hs", Algorithm: "HS256", Secret: lab.secret}}}}, middleware.WithClock(clk))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = v.Close() })
	lab.v = v
	custom := []Source{
		{Kind: KindRole, Path: MustParsePath("role"), Shape: ShapeString},
		{Kind: KindRole, Path: MustParsePath(`resource_access["orders.api"].roles`), Shape: ShapeArray},
		{Kind: KindPermission, Path: Path{"urn:zitadel:iam:org:project:roles"}, Shape: ShapeObjectKeys},
		{Kind: KindScope, Path: MustParsePath("scope"), Shape: ShapeSpaceDelimited},
		// Read only without a nested claim, and without a top-level one.
		{Kind: KindGroup, Path: Path{"groups"}, Shape: ShapeArray, Unless: MustParsePath("realm_access.roles")},
		{Kind: KindPermission, Path: Path{"permissions"}, Shape: ShapeArray, Unless: Path{"role"}},
	}
	presets := [][]Source{Keycloak("orders"), Auth0("https://example.com/roles"), EntraID(), Okta(), Cognito(), custom}
	opts := []MapperOption{WithRoleHierarchy(map[string][]string{"admin": {"editor"}, "editor": {"viewer"}}), WithScopeWildcards("items:*")}
	newMapper := func(sources []Source) *Mapper {
		var log []Mismatch
		m := MustNewMapper(sources, append(opts, WithMismatchHook(func(x Mismatch) { log = append(log, x) }))...)
		lab.logs[m] = &log
		return m
	}
	for _, p := range presets {
		lab.attached = append(lab.attached, newMapper(p))
		lab.twins = append(lab.twins, newMapper(p))
		lab.refs = append(lab.refs, newMapper(p))
	}
	// FromContext's mapper of the Default preset, which watches claims.
	lab.attached = append(lab.attached, defaultM)
	twin, ref := &Mapper{sources: Default(), watch: defaultM.watch}, &Mapper{sources: Default(), watch: defaultM.watch}
	twin.reader, ref.reader = twin.newReader(), ref.newReader()
	lab.logs[twin], lab.logs[ref] = new([]Mismatch), new([]Mismatch)
	lab.twins, lab.refs = append(lab.twins, twin), append(lab.refs, ref)
	for _, m := range lab.attached {
		if !claimsx.Attach(v, m.reader) {
			tb.Fatal("a mapper could not be attached")
		}
	}
	return lab
}

// check verifies a token with the members and compares the readings; it
// reports whether the token verified (a payload with a registered claim of
// the wrong type does not).
func (lab *mapLab) check(t *testing.T, members string) bool {
	lab.mu.Lock()
	defer lab.mu.Unlock()
	lab.n++
	payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"jti":"` + strconv.Itoa(lab.n) + `"`
	if members != "" {
		payload += "," + members
	}
	payload += "}"
	if lab.n%2 == 0 {
		payload = " \n" + payload + "\t " // white space around the object is valid JSON
	}
	tok := lab.token(t, payload)
	for _, l := range lab.logs {
		*l = nil
	}
	c, err := lab.v.Verify(t.Context(), tok)
	if err != nil {
		return false
	}
	decoded := c.Map()
	for i, m := range lab.attached {
		ref := lab.refs[i]
		want := ref.MapClaims(decoded)
		if got := m.Map(c); !sameAuthorities(got, want) {
			t.Errorf("%s: attached mapper %d read %+v, MapClaims %+v", payload, i, *got, *want)
		}
		if got := lab.twins[i].Map(c); !sameAuthorities(got, want) {
			t.Errorf("%s: mapper %d read %+v from the payload, MapClaims %+v", payload, i, *got, *want)
		}
		if m != defaultM && !reflect.DeepEqual(*lab.logs[m], *lab.logs[ref]) {
			t.Errorf("%s: attached mapper %d reported %v, MapClaims %v", payload, i, *lab.logs[m], *lab.logs[ref])
		}
		if !reflect.DeepEqual(*lab.logs[lab.twins[i]], *lab.logs[ref]) {
			t.Errorf("%s: mapper %d reported %v from the payload, MapClaims %v", payload, i, *lab.logs[lab.twins[i]], *lab.logs[ref])
		}
	}
	// The same token again is a cache hit: the same readings, mapping
	// nothing again.
	before := len(*lab.logs[lab.attached[0]])
	again, err := lab.v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("%s: the second verification failed: %v", payload, err)
	}
	for i, m := range lab.attached {
		if got, want := m.Map(again), lab.refs[i].MapClaims(decoded); !sameAuthorities(got, want) {
			t.Errorf("%s: attached mapper %d read %+v on a cache hit, MapClaims %+v", payload, i, *got, *want)
		}
	}
	if len(*lab.logs[lab.attached[0]]) != before {
		t.Errorf("%s: a cache hit mapped the claims again", payload)
	}
	return true
}

// token signs payload with the lab's key.
func (lab *mapLab) token(t *testing.T, payload string) string {
	t.Helper()
	in := b64(`{"alg":"HS256","kid":"hs","typ":"at+jwt"}`) + "." + b64(payload)
	sig, err := jose.Sign(lab.alg, nil, lab.secret, in)
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// sameAuthorities compares everything but the mapper that read them.
func sameAuthorities(a, b *Authorities) bool {
	x, y := *a, *b
	x.by, y.by = nil, nil
	return reflect.DeepEqual(x, y)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Every seed but those with a registered claim of the wrong type verifies,
// so the comparison runs on each; a reading that differs fails it.
func TestMapperReadsWhatMapClaimsReads(t *testing.T) {
	lab := newMapLab(t)
	refused := 0
	for _, p := range mapperPayloads {
		if !lab.check(t, p) {
			refused++
			if !strings.Contains(p, `"scope"`) && !strings.Contains(p, `"scp"`) {
				t.Errorf("%s did not verify", p)
			}
		}
	}
	if refused > 6 {
		t.Errorf("%d of %d seeds did not verify", refused, len(mapperPayloads))
	}
}

// FuzzMapper compares the readings on payloads the fuzzer makes (make fuzz;
// its seeds, mapperPayloads, run in every make test).
func FuzzMapper(f *testing.F) {
	lab := newMapLab(f)
	for _, p := range mapperPayloads {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, members string) { lab.check(t, members) })
}

// A Mapper not made by NewMapper reads nothing and does not panic, as
// before; nor does a nil Claims.
func TestAZeroMapperReadsNothing(t *testing.T) {
	lab := newMapLab(t)
	lab.mu.Lock()
	defer lab.mu.Unlock()
	payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"roles":["admin"]}`
	c, err := lab.v.Verify(t.Context(), lab.token(t, payload))
	if err != nil {
		t.Fatal(err)
	}
	var zero Mapper
	if a := zero.Map(c); a.Has(KindRole, "admin") || len(a.Roles)+len(a.Scopes) != 0 {
		t.Fatalf("the zero mapper read %+v", *a)
	}
	if a := defaultM.Map(nil); a == nil || len(a.Roles) != 0 {
		t.Fatalf("Map(nil) = %+v", a)
	}
}

// What Map and FromContext hand out is the caller's own: changing it, in
// place or by appending, changes nothing a later request of the same token
// (a cache hit, sharing the verification's reading) reads or is allowed.
func TestAMappingIsTheCallersOwn(t *testing.T) {
	lab := newMapLab(t)
	lab.mu.Lock()
	defer lab.mu.Unlock()
	payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"roles":["admin","user"],"scope":"a b"}`
	tok := lab.token(t, payload)
	for i := range 3 {
		c, err := lab.v.Verify(t.Context(), tok)
		if err != nil {
			t.Fatal(err)
		}
		ctx := middleware.WithClaims(t.Context(), c)
		if !Allowed(ctx, Role("admin")) || Allowed(ctx, Role("root")) {
			t.Fatalf("request %d: allowed as someone else", i+1)
		}
		a, b := defaultM.Map(c), FromContext(ctx)
		if !reflect.DeepEqual(a.Roles, []string{"admin", "user"}) || !reflect.DeepEqual(b.Scopes, []string{"a", "b"}) {
			t.Fatalf("request %d: read %v and %v", i+1, a.Roles, b.Scopes)
		}
		a.Roles[0], b.Roles[1], b.Scopes[0] = "root", "root", "z"
		a.Roles = append(a.Roles[:1], "root")
		b.Scopes = append(b.Scopes, "root")
	}
}

// A verifier reads for at most 8 mappers: the ninth is not attached and
// reads the payload itself, with the same result.
func TestAMapperBeyondTheBoundReadsThePayload(t *testing.T) {
	lab := newMapLab(t) // 7 mappers attached
	extra := MustNewMapper(Keycloak("orders"))
	if !claimsx.Attach(lab.v, extra.reader) {
		t.Fatal("the eighth mapper was refused")
	}
	ninth := MustNewMapper(Keycloak("orders"))
	if claimsx.Attach(lab.v, ninth.reader) {
		t.Fatal("a ninth mapper was attached")
	}
	payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"realm_access":{"roles":["admin"]}}`
	c, err := lab.v.Verify(t.Context(), lab.token(t, payload))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := claimsx.Derived(c, ninth.reader); ok {
		t.Fatal("the verification read for the ninth mapper")
	}
	if _, ok := claimsx.Derived(c, extra.reader); !ok {
		t.Fatal("the verification did not read for the eighth mapper")
	}
	if !ninth.Map(c).Has(KindRole, "admin") || !extra.Map(c).Has(KindRole, "admin") {
		t.Fatal("a mapper lost the admin role")
	}
}

// Every preset reads the scopes middleware.Claims.Scopes reads, in every
// shape providers write them: "scope" as a string (Keycloak, Auth0,
// Cognito, Google), "scp" as an array (Okta, Ory Hydra) or a string (Entra
// ID), or none; through the payload and through MapClaims.
func TestEveryPresetReadsTheScopesClaimsScopesReads(t *testing.T) {
	lab := newMapLab(t)
	r := rand.New(rand.NewPCG(11, 12))
	names := []string{"openid", "items:read", "items:write", "User.Read", "orders/read", "a", "é"}
	list := func() []string {
		var out []string
		for _, n := range names {
			if r.IntN(2) == 0 {
				out = append(out, n)
			}
		}
		return out
	}
	quote := func(ss []string) string {
		b, _ := json.Marshal(ss)
		return string(b)
	}
	for i := range 800 {
		scopes, others := list(), list()
		spaced, _ := json.Marshal(strings.Join(scopes, " "))
		otherSpaced, _ := json.Marshal(strings.Join(others, " "))
		members := [...]string{
			`"scope":` + string(spaced),
			`"scp":` + quote(scopes),
			`"scp":` + string(spaced),
			`"roles":["x"]`,
			// Both: "scope" alone counts, whichever comes first.
			`"scope":` + string(spaced) + `,"scp":` + quote(others),
			`"scp":` + string(otherSpaced) + `,"scope":` + string(spaced),
			// A null or empty "scope": null is absent, "" is no scopes.
			`"scope":null,"scp":` + quote(scopes),
			`"scope":"","scp":` + quote(others),
		}[i%8]
		lab.n++
		payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"jti":"s` + strconv.Itoa(lab.n) + `",` + members + `}`
		c, err := lab.v.Verify(t.Context(), lab.token(t, payload))
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		want := slices.Sorted(slices.Values(c.Scopes))
		for _, name := range PresetNames() {
			sources, err := Preset(name, "orders")
			if err != nil {
				t.Fatal(err)
			}
			m := MustNewMapper(sources)
			for how, a := range map[string]*Authorities{"payload": m.Map(c), "MapClaims": m.MapClaims(c.Map())} {
				if got := slices.Sorted(slices.Values(a.Scopes)); !slices.Equal(got, want) {
					t.Fatalf("%s: preset %s reads the scopes %q (%s), Claims.Scopes %q", payload, name, got, how, want)
				}
			}
		}
	}
}

// The Dex, ZITADEL and Ory Hydra presets read tokens of those providers'
// shape (claims as their documentation shows them) as the providers mean
// them, through the payload and through MapClaims.
func TestTheDexZitadelAndHydraPresetsReadTheirTokens(t *testing.T) {
	lab := newMapLab(t)
	for _, c := range []struct {
		name    string
		sources []Source
		members string
		want    Authorities
	}{
		{"dex", Dex(), `"sub":"CgR1c2VyEgVsb2NhbA","email":"jane@example.com","email_verified":true,"groups":["admins","devs"],"name":"Jane"`,
			Authorities{Groups: []string{"admins", "devs"}}},
		{"zitadel", Zitadel("231234567890"), `"sub":"2310","client_id":"231234@acme","scope":"openid urn:zitadel:iam:org:project:id:231234567890:aud",` +
			`"urn:zitadel:iam:org:project:roles":{"admin":{"231000":"acme.zitadel.cloud"},"viewer":{"231000":"acme.zitadel.cloud"}},` +
			`"urn:zitadel:iam:org:project:231234567890:roles":{"editor":{"231000":"acme.zitadel.cloud"}}`,
			Authorities{Roles: []string{"editor"}, Scopes: []string{"openid", "urn:zitadel:iam:org:project:id:231234567890:aud"}}},
		{"zitadel, no project ID", Zitadel(""), `"sub":"2310","urn:zitadel:iam:org:project:roles":{"admin":{"231000":"acme.zitadel.cloud"}},` +
			`"urn:zitadel:iam:org:project:231234567890:roles":{"editor":{"231000":"acme.zitadel.cloud"}}`,
			Authorities{Roles: []string{"admin"}}},
		{"hydra, roles under ext", Hydra("roles"), `"client_id":"orders-client","sub":"user-1","scp":["offline","orders.read"],"ext":{"roles":["admin"]}`,
			Authorities{Roles: []string{"admin"}, Scopes: []string{"offline", "orders.read"}}},
		{"hydra, roles at the top level", Hydra("roles"), `"client_id":"orders-client","sub":"user-1","scp":["orders.read"],"roles":["viewer"],"ext":{}`,
			Authorities{Roles: []string{"viewer"}, Scopes: []string{"orders.read"}}},
	} {
		lab.n++
		payload := `{"iss":"` + labIssuer + `","aud":"api","exp":1800003600,"iat":1800000000,"jti":"p` + strconv.Itoa(lab.n) + `",` + c.members + `}`
		claims, err := lab.v.Verify(t.Context(), lab.token(t, payload))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		m := MustNewMapper(c.sources)
		for how, a := range map[string]*Authorities{"payload": m.Map(claims), "MapClaims": m.MapClaims(claims.Map())} {
			for _, k := range []Kind{KindRole, KindScope, KindPermission, KindGroup} {
				got, want := *a.list(k), *c.want.list(k)
				if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
					t.Errorf("%s (%s): %s %q, want %q", c.name, how, k, got, want)
				}
			}
		}
	}
}
