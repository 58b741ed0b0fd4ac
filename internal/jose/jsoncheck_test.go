package jose

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	deep := strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth)
	tooDeep := strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1)
	wide := "[" + strings.TrimSuffix(strings.Repeat("1,", MaxJSONWidth), ",") + "]"
	tooWide := "[" + strings.TrimSuffix(strings.Repeat("1,", MaxJSONWidth+1), ",") + "]"
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
		{"names equal but for case below the top", `{"a":{"x":1,"X":2}}`, true},
		{"strings that look like structure", `{"a":"{\"a\":1,\"a\":2}","b":"]]]]"}`, true},
		{"a duplicate at the top", `{"exp":1,"exp":2}`, false},
		{"a duplicate in a nested object", `{"a":{"x":1,"y":2,"x":3}}`, false},
		{"a duplicate after a closed nested object", `{"a":{"b":1},"c":2,"a":3}`, false},
		{"a duplicate spelled with an escape", `{"exp":1,"\u0065xp":2}`, false},
		{"a top-level duplicate but for case", `{"exp":1,"EXP":9999999999}`, false},
		{"a top-level duplicate by Unicode folding (Kelvin sign)", `{"kid":"a","\u212aid":"b"}`, false},
		{"a top-level duplicate by folding, unescaped", "{\"kid\":\"a\",\"\u212aid\":\"b\"}", false},
		{"a duplicate in a large object", manyThenDup.String(), false},
		{"depth at the limit", deep, true},
		{"depth over the limit", tooDeep, false},
		{"width at the limit", wide, true},
		{"width over the limit", tooWide, false},
		{"members at the limit", members.String(), true},
		{"members over the limit", tooMany.String(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSON([]byte(tc.json))
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("accepted (%v)", err)
			}
		})
	}
}

func TestCheckJSONNeverPanicsOnBrokenInput(t *testing.T) {
	for _, s := range []string{"", "{", "}", "]]]", `{"a`, `{"a":"\`, `{"a":1,`, `[,,,]`, `"\"`, "{\"a\":\x00}"} {
		_ = checkJSON([]byte(s))
	}
}

func TestCheckJSONDoesNotAllocate(t *testing.T) {
	payload := []byte(`{"iss":"https://id.example.com/realms/acme","sub":"f3c1","aud":["orders-api","account"],` +
		`"exp":1800000000,"iat":1799999000,"jti":"7d1e","scope":"openid items:read","realm_access":{"roles":["a","b","c"]},` +
		`"resource_access":{"orders-api":{"roles":["admin"]}},"azp":"web","sid":"s1","email_verified":true}`)
	if n := testing.AllocsPerRun(100, func() { _ = checkJSON(payload) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
