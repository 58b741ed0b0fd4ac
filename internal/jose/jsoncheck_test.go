package jose

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestScanObjectLimitsAndDuplicates(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", MaxJSONDepth-1) + strings.Repeat("]", MaxJSONDepth-1) + "}"
	tooDeep := `{"a":` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + "}"
	wide := `{"a":[` + strings.TrimSuffix(strings.Repeat("1,", MaxJSONWidth), ",") + "]}"
	tooWide := `{"a":[` + strings.TrimSuffix(strings.Repeat("1,", MaxJSONWidth+1), ",") + "]}"
	var members, tooMany strings.Builder
	members.WriteString("{")
	tooMany.WriteString("{")
	for i := range MaxJSONWidth + 1 {
		if i > 0 {
			tooMany.WriteString(",")
		}
		if i > 0 && i < MaxJSONWidth {
			members.WriteString(",")
		}
		m := `"m` + strings.Repeat("x", i%7) + strconv.Itoa(i) + `":0`
		tooMany.WriteString(m)
		if i < MaxJSONWidth {
			members.WriteString(m)
		}
	}
	members.WriteString("}")
	tooMany.WriteString("}")
	var manyThenDup strings.Builder
	manyThenDup.WriteString(`{"sub":1`)
	for i := range 100 {
		manyThenDup.WriteString(`,"c` + strconv.Itoa(i) + `":{"a":1,"b":[1,2,{"a":1}]}`)
	}
	manyThenDup.WriteString(`,"SUB":2}`)

	for _, tc := range []struct {
		name, json string
		ok         bool
	}{
		{"an ordinary payload", `{"iss":"https://id.example","aud":["a","b"],"exp":1,"realm_access":{"roles":["x","y"]}}`, true},
		{"the same name in different objects", `{"a":{"x":1},"b":{"x":1},"x":[{"x":1},{"x":2}]}`, true},
		{"names equal but for case below the top", `{"a":{"x":1,"X":2}}`, false},
		{"names equal but for case in an array's object", `{"realm_access":{"roles":["a"]},"x":[{"roles":1,"Roles":2}]}`, false},
		{"Keycloak's nested roles twice but for case", `{"realm_access":{"roles":["user"],"Roles":["admin"]}}`, false},
		{"names equal but for case, deep, past the pairwise limit", `{"a":{"b":` + wideThen(40, "M7") + `}}`, false},
		{"a wide object at depth, no duplicate", `{"a":{"b":` + wideThen(40, "") + `}}`, true},
		{"a duplicate by escape in a wide object", wideThen(40, `\u006d39`), false},
		{"lone surrogates both decode to U+FFFD", `{"x":{"\ud800":1,"\udbff":2}}`, false},
		{"a surrogate pair and its rune", "{\"x\":{\"\\ud83d\\ude00\":1,\"\U0001F600\":2}}", false},
		{"a pair and a lone high surrogate differ", `{"x":{"\ud83d\ude00":1,"\ud83d":2}}`, true},
		{"every simple escape", `{"\"\\\/\b\f\n\r\t":1,"\"\\/\u0008\u000c\u000a\u000d\u0009":2}`, false},
		{"strings that look like structure", `{"a":"{\"a\":1,\"a\":2}","b":"]]]]"}`, true},
		{"a duplicate at the top", `{"exp":1,"exp":2}`, false},
		{"a duplicate in a nested object", `{"a":{"x":1,"y":2,"x":3}}`, false},
		{"a duplicate after a closed nested object", `{"a":{"b":1},"c":2,"a":3}`, false},
		{"a duplicate spelled with an escape", `{"exp":1,"\u0065xp":2}`, false},
		{"a top-level duplicate but for case", `{"exp":1,"EXP":9999999999}`, false},
		{"a top-level duplicate by Unicode folding (Kelvin sign)", `{"kid":"a","\u212aid":"b"}`, false},
		{"a top-level duplicate by folding, unescaped", "{\"kid\":\"a\",\"\u212aid\":\"b\"}", false},
		{"a duplicate in a large object", manyThenDup.String(), false},
		{"a duplicate in a nested object past the pairwise limit", nestedMany(70, "m3"), false},
		{"many members in a nested object, no duplicate", nestedMany(70, ""), true},
		{"a top-level duplicate but for case among escaped names", `{"\u0061ud":1,"AUD":2}`, false},
		{"a top-level duplicate by folding after a non-ASCII name", "{\"é\":1,\"kid\":1,\"KID\":2}", false},
		{"non-ASCII names equal but for case", "{\"é\":1,\"è\":2,\"É\":3}", false},
		{"a long name sharing a prefix", `{"resource_access":1,"resource_acceSS":2,"resource_accesses":3}`, false},
		{"long names sharing a prefix, below the top", `{"x":{"resource_access":1,"resource_acceSS":2,"resource_accesses":3}}`, false},
		{"long names sharing a prefix and length, below the top", `{"x":{"resource_access1":1,"resource_access2":2}}`, true},
		{"depth at the limit", deep, true},
		{"depth over the limit", tooDeep, false},
		{"width at the limit", wide, true},
		{"width over the limit", tooWide, false},
		{"members at the limit", members.String(), true},
		{"members over the limit", tooMany.String(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := scanObject("payload", []byte(tc.json), nil)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("accepted (%v)", err)
			}
		})
	}
}

// wideThen is an object of n members m0…m(n-1), then dup when set.
func wideThen(n int, dup string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		b.WriteString(`"m` + strconv.Itoa(i) + `":0,`)
	}
	if dup != "" {
		b.WriteString(`"` + dup + `":1,`)
	}
	b.WriteString(`"end":0}`)
	return b.String()
}

// nestedMany is an object holding n members m0…m(n-1), plus dup when set.
func nestedMany(n int, dup string) string {
	var b strings.Builder
	b.WriteString(`{"x":{`)
	for i := range n {
		b.WriteString(`"m` + strconv.Itoa(i) + `":0,`)
	}
	if dup != "" {
		b.WriteString(`"` + dup + `":1,`)
	}
	b.WriteString(`"end":0}}`)
	return b.String()
}

func TestScanObjectDoesNotAllocate(t *testing.T) {
	payload := []byte(`{"iss":"https://id.example.com/realms/acme","sub":"f3c1","aud":["orders-api","account"],` +
		`"exp":1800000000,"iat":1799999000,"jti":"7d1e","scope":"openid items:read","realm_access":{"roles":["a","b","c"]},` +
		`"resource_access":{"orders-api":{"roles":["admin"]}},"azp":"web","sid":"s1","email_verified":true}`)
	if err := scanObject("payload", payload, nil); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = scanObject("payload", payload, func(name, value []byte) {}) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	// A Keycloak access token's top level: about 25 members, all compared
	// pairwise (pairwiseNames), none needing the table.
	keycloak := []byte(`{"exp":1,"iat":1,"auth_time":1,"jti":"j","iss":"i","aud":"a","sub":"s","typ":"Bearer","azp":"w",` +
		`"nonce":"n","session_state":"s","acr":"1","allowed-origins":["x"],"realm_access":{"roles":["a"]},` +
		`"resource_access":{"api":{"roles":["b"]}},"scope":"openid","sid":"s","email_verified":true,"name":"n",` +
		`"preferred_username":"p","given_name":"g","family_name":"f","email":"e","locale":"en","groups":["/g"]}`)
	if n := testing.AllocsPerRun(100, func() { _ = scanObject("payload", keycloak, func(name, value []byte) {}) }); n != 0 {
		t.Fatalf("a Keycloak-sized payload: %v allocations", n)
	}
}

// grammarCases are inputs on the edges of the JSON grammar; scanObject must
// judge each exactly as the reference below does.
var grammarCases = []string{
	`{}`, ` {} `, "\t{\n}\r\n", `{"a":1}`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{"a"}`, `{a:1}`, `{'a':1}`,
	`{"a":1}x`, `{"a":1}{}`, `{"a":1} `, "\ufeff{}", `{}}`, `{`, `{"a":[}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`,
	`{"a":0}`, `{"a":-0}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1.5e}`, `{"a":1.5e+}`, `{"a":1e5}`,
	`{"a":1E-5}`, `{"a":-1.25e+10}`, `{"a":+1}`, `{"a":0x10}`, `{"a":1_000}`, `{"a":NaN}`, `{"a":Infinity}`,
	`{"a":true}`, `{"a":tru}`, `{"a":truex}`, `{"a":false}`, `{"a":null}`, `{"a":nul}`, `{"a":None}`,
	`{"a":"\u00e9"}`, `{"a":"\u00G9"}`, `{"a":"\u00e"}`, `{"a":"\x"}`, `{"a":"\/\b\f\n\r\t\"\\"}`, `{"a":"\'"}`,
	`{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\"}", "{\"a\":\"tab\there\"}",
	"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"é\"}", "{\"a\":\"\U0001F600\"}",
	"{\"é\":1}", "{\"a\":1}\xff", `{"a":"`, `{"a":"\`, `{"a":"\u`, `{"a":1`, `{"a":1,`, `{"a":[`, `{"a":{`,
	`{"a":{"b":{"c":[1,{"d":null}]}}}`, `[]`, `"a"`, `1`, `null`, ``, ` `, `{"a":1,"b":2,"a":3}`,
	`{"\u0061":1,"a":2}`, `{"a":1,"A":2}`, `{"x":{"a":1,"A":2}}`, `{"x":{"a":1,"a":2}}`,
	"{\"kid\":1,\"\u212aid\":2}", `{"kid":1,"\u212aid":2}`, `{"\ud800":1,"\udfff":2}`,
	`{"\ud83d\ude00":1}`, `{"\ud83dx":1}`, `{"\ude00\ud83d":1}`, `{"\ud83d\u0041":1}`, `{"\u00e9\n\"":1}`,
	`{"x":{"\ud83d\ude00":1,"\ud83d":2}}`, `{"a":[{"k":1,"K":2}]}`, `{"\u0041":{"a":1},"a":2}`,
	// where the issuer is (PeekIssuer)
	`{"iss":"a"}`, `{"\u0069ss":"a"}`, `{"i\u0073\u0073":"x\/y"}`, `{"is\s":"a"}`, `{"iss":1}`, `{"iss":null}`,
	`{"a":{"iss":"x"}}`, `{"a":"\"iss\":\"x\"","iss":"y"}`, `{"iss":"a","iss":"b"}`, `{"ISS":"a","iss":"b"}`,
	`{ "iss" : "a\u0062" }`, `{"a":[1,{"iss":"n"}],"iss":"y"}`, `{"iss":"\ud83d\ude00"}`, `{"iss":"\ud800"}`,
	`{"a":"\\","iss":"z"}`, `{"a":"x\\\"","iss":"z"}`, `{"a":,"iss":"z"}`, `{"a":1 "iss":"z"}`, `{"iss":"z`,
	`{"iss":"\u00"}`, `{"a":[{]],"iss":"z"}`, `{"iss"`, `{"iss":`, `{"\u0069\u0073\u0073":"a"}`, `{"iss\u0000":"a"}`,
}

func TestScanObjectAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range grammarCases {
		checkAgainstReference(t, []byte(in))
	}
}

func FuzzScanObject(f *testing.F) {
	for _, in := range grammarCases {
		f.Add([]byte(in))
	}
	f.Add([]byte(`{"iss":"https://id.example","aud":["a","b"],"exp":1.5e9,"realm_access":{"roles":["x","y"]}}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkAgainstReference(t, in) })
}

// checkAgainstReference runs scanObject on in and compares its verdict and
// the members it reports with encoding/json and a walk of its tokens.
func checkAgainstReference(t *testing.T, in []byte) {
	t.Helper()
	type member struct{ name, value string }
	var got []member
	err := scanObject("payload", in, func(name, value []byte) { got = append(got, member{string(name), string(value)}) })
	checkPeek(t, in, err)
	want := referenceVerdict(in)
	if (err == nil) != (want == "") {
		t.Fatalf("%q: scanObject says %v, the reference says %q", in, err, want)
	}
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("%q: error %v does not wrap ErrMalformed", in, err)
		}
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(in, &m); err != nil {
		t.Fatalf("%q: accepted, but json.Unmarshal fails: %v", in, err)
	}
	if len(got) != len(m) {
		t.Fatalf("%q: reported %d members, want %d", in, len(got), len(m))
	}
	for _, g := range got {
		if v, ok := m[g.name]; !ok || string(v) != g.value {
			t.Fatalf("%q: reported member %q = %q, json.Unmarshal has %q", in, g.name, g.value, v)
		}
	}
}

// checkPeek runs PeekIssuer on in, which scanObject judged (err): on a
// payload the scan accepts, PeekIssuer must find exactly the iss that
// encoding/json reads, or ErrNoIssuer when there is no iss of type string;
// on any other it may answer anything but a panic.
func checkPeek(t *testing.T, in []byte, err error) {
	t.Helper()
	iss, perr := PeekIssuer(in)
	if err != nil {
		if perr != nil && !errors.Is(perr, ErrMalformed) && !errors.Is(perr, ErrNoIssuer) {
			t.Fatalf("%q: PeekIssuer: %v", in, perr)
		}
		return
	}
	var m map[string]json.RawMessage // raw: a number beyond float64 is valid JSON
	if err := json.Unmarshal(in, &m); err != nil {
		t.Fatalf("%q: accepted, but json.Unmarshal fails: %v", in, err)
	}
	var iv any
	_ = json.Unmarshal(m["iss"], &iv) // absent or a number beyond float64: not a string either way
	want, ok := iv.(string)
	switch {
	case !ok && !errors.Is(perr, ErrNoIssuer):
		t.Fatalf("%q: PeekIssuer = %q, %v; want ErrNoIssuer", in, iss, perr)
	case ok && (perr != nil || string(iss) != want):
		t.Fatalf("%q: PeekIssuer = %q, %v; want %q", in, iss, perr, want)
	}
}

// referenceVerdict judges in with encoding/json: "" when it is a UTF-8 JSON
// object within the limits and without duplicate names in any object
// (folded as encoding/json folds them), else why not.
func referenceVerdict(in []byte) string {
	if !json.Valid(in) {
		return "invalid JSON"
	}
	if !utf8.Valid(in) {
		return "not UTF-8"
	}
	if i := skipSpace(in, 0); i >= len(in) || in[i] != '{' {
		return "not an object"
	}
	type frame struct {
		object, wantKey bool
		count           int
		names           []string
	}
	var stack []*frame
	d := json.NewDecoder(bytes.NewReader(in))
	d.UseNumber()
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return "decoder: " + err.Error()
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if delim, ok := tok.(json.Delim); ok && (delim == '}' || delim == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.object && top.wantKey {
			name := tok.(string)
			for _, o := range top.names {
				if foldName(o) == foldName(name) {
					return "duplicate name"
				}
			}
			top.names = append(top.names, name)
			if top.count++; top.count > MaxJSONWidth {
				return "too wide"
			}
			top.wantKey = false
			continue
		}
		if top != nil {
			if top.object {
				top.wantKey = true
			} else if top.count++; top.count > MaxJSONWidth {
				return "too wide"
			}
		}
		if delim, ok := tok.(json.Delim); ok {
			if len(stack) == MaxJSONDepth {
				return "too deep"
			}
			stack = append(stack, &frame{object: delim == '{', wantKey: delim == '{'})
		}
	}
}

// foldName is encoding/json's folding of a member name before it looks up
// a struct field (ASCII letters upper-cased, other runes ToUpper(ToLower)).
func foldName(s string) string {
	var out []rune
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
		} else {
			r = unicode.ToUpper(unicode.ToLower(r))
		}
		out = append(out, r)
	}
	return string(out)
}
