// Package hostile builds the costliest tokens within the default 16 KiB size
// limit that we can construct (bounded cost), and an ordinary token as large,
// for the benchmark beside the valid-token one (middleware's BenchmarkHostile)
// and for counting instructions (internal/cmd/cost).
//
// Each hostile token names its issuer in its payload's last member, so
// that the verifier reads the whole payload to find it before the
// signature, and carries a forged signature of the right length: it costs
// everything an attacker without the key can make a verifier do.
package hostile

import (
	"fmt"
	"strings"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// A Signer signs a header and a payload, JSON as given, into a compact JWS.
type Signer func(header, payload []byte) (string, error)

// Token is what every token here carries: the claims iss, aud and exp, and
// the header's alg and kid.
type Token struct {
	Issuer, Audience, KeyID, Alg string
	Expiry                       int64
}

// Budget is the JSON a segment may hold so that the token stays within the
// default 16 KiB limit (base64url adds a third).
const Budget = (16<<10)*3/4 - 600

// HeaderBudget is the JSON the header may hold within the 8 KiB limit of
// its encoded form.
const HeaderBudget = (8<<10)*3/4 - 2

// HeaderNames is the most member names a header may hold, at every depth.
const HeaderNames = jose.MaxHeaderNames

// Fill repeats item(i) after prefix, separated by commas, while the JSON
// stays within budget, and closes it with suffix.
func Fill(prefix, suffix string, budget int, item func(i int) string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; ; i++ {
		it := item(i)
		if b.Len()+len(it)+len(suffix)+1 > budget {
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(it)
	}
	b.WriteString(suffix)
	return b.String()
}

func member(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf(`%s%d":0`, prefix, i) }
}

// OverLimit names the tokens whose header is over one of its limits (its
// size, its names): they are refused as malformed before anything else.
const OverLimit = "header over the limit: "

// Tokens returns the hostile tokens by what they are built of.
func Tokens(sign Signer, t Token) (map[string]string, error) {
	header := fmt.Sprintf(`{"alg":%q,"kid":%q,"typ":"at+jwt"}`, t.Alg, t.KeyID)
	claims := fmt.Sprintf(`"sub":"alice","aud":%q,"exp":%d,"iss" : %q`, t.Audience, t.Expiry, t.Issuer)
	end := "," + claims + "}"
	payloads := map[string]string{
		"escaped names":   Fill("{", end, Budget, member(`"\u0061\u0062`)),
		"surrogate names": Fill("{", end, Budget, member(`"\ud83d\ude00`)),
		"many members":    Fill("{", end, Budget, member(`"m`)),
		"non-ASCII names": Fill("{", end, Budget, member(`"é`)),
		"many objects": Fill(`{"o":[`, "]"+end, Budget, func(i int) string {
			return fmt.Sprintf(`{"a":%d,"b":0,"c":0}`, i)
		}),
		"wide nested objects": Fill(`{"o":[`, "]"+end, Budget, func(int) string {
			return Fill("{", "}", 700, member(`"n`))
		}),
		"objects of 32 members": Fill(`{"o":[`, "]"+end, Budget, func(int) string {
			var names []string
			for i := range 32 {
				names = append(names, fmt.Sprintf(`"abcdefg%d":0`, i)) // one fingerprint but for the length
			}
			return "{" + strings.Join(names, ",") + "}"
		}),
		"deep nesting": Fill(`{"d":[`, "]"+end, Budget, func(int) string {
			return strings.Repeat("[", 30) + strings.Repeat("]", 30)
		}),
		"escaped strings": Fill(`{"s":[`, "]"+end, Budget, func(int) string { return `"\u00e9\ud83d\ude00\n"` }),
		"long string":     `{"s":"` + strings.Repeat("x", Budget-len(claims)-10) + `"` + end,
		// A name, and the issuer, that are decoded: a long run of plain
		// bytes before one escape.
		"long escaped name": `{"` + strings.Repeat("x", Budget-len(claims)-20) + `\u0061":0` + end,
		"long number":       `{"n":` + strings.Repeat("9", Budget-len(claims)-10) + end,
		"many numbers":      Fill(`{"n":[`, "]"+end, Budget, func(int) string { return "-1.5e+300" }),
		// What the issuer's search before the signature walks byte by byte.
		"backslashes":    `{"s":"` + strings.Repeat(`\\`, (Budget-len(claims)-10)/2) + `"` + end,
		"escaped quotes": `{"s":"` + strings.Repeat(`\"`, (Budget-len(claims)-10)/2) + `"` + end,
		"empty strings":  Fill(`{"e":[`, "]"+end, Budget, func(int) string { return `""` }),
		"empty names":    Fill("{", end, Budget, func(int) string { return `"":0` }), // duplicates, refused once the signature verifies
	}
	longIss := strings.Repeat("x", Budget-200)
	payloads["long escaped iss"] = fmt.Sprintf(`{"sub":"alice","aud":%q,"exp":%d,"iss" : "%s\u0061"}`, t.Audience, t.Expiry, longIss)
	toks := map[string]string{}
	var err error
	for name, p := range payloads {
		if toks[name], err = forged(sign, header, p); err != nil {
			return nil, err
		}
	}
	// The header is read in full before the signature: at its limits (its
	// size, and its names: HeaderNames), with a hostile payload, it makes
	// the costliest tokens of all. The payload, read up to its iss only, is
	// one of escaped names.
	open := fmt.Sprintf(`{"alg":%q,"kid":%q,`, t.Alg, t.KeyID)
	nested := func(int) string { return strings.Repeat("[", 30) + strings.Repeat("]", 30) }
	names := func(item string) string { // as many as the limit leaves, with alg, kid and x
		var b strings.Builder
		for i := range HeaderNames - 3 {
			b.WriteString(member(item)(i) + ",")
		}
		return b.String()
	}
	headers := map[string]string{
		"escaped names, then nesting": Fill(open+names(`"\u0061\u0062`)+`"x":[`, "]}", HeaderBudget, nested),
		"many members, then nesting":  Fill(open+names(`"m`)+`"x":[`, "]}", HeaderBudget, nested),
		"deep nesting":                Fill(open+`"x":[`, "]}", HeaderBudget, nested),
		"escaped strings":             Fill(open+`"x":[`, "]}", HeaderBudget, func(int) string { return `"\u00e9\ud83d\ude00\n"` }),
	}
	for name, h := range headers {
		if toks["header: "+name], err = forged(sign, h, Fill("{", end, Budget-len(h), member(`"\u0061\u0062`))); err != nil {
			return nil, err
		}
	}
	for name, item := range map[string]string{"escaped names": `"\u0061\u0062`, "many members": `"m`} {
		if toks[OverLimit+name], err = forged(sign, Fill(open, "}", HeaderBudget+100, member(item)), "{"+claims+"}"); err != nil {
			return nil, err
		}
	}
	toks[OverLimit+"one name too many"], err = forged(sign, open+names(`"m`)+`"x":0,"y":0}`, "{"+claims+"}")
	if err != nil {
		return nil, err
	}
	return toks, nil
}

// Large returns a valid ordinary token as large as the hostile ones: a few
// hundred groups.
func Large(sign Signer, t Token) (string, error) {
	var groups []string
	for i := 0; len(strings.Join(groups, `","`)) < Budget-300; i++ {
		groups = append(groups, fmt.Sprintf("/org/team-%04d", i))
	}
	header := fmt.Sprintf(`{"alg":%q,"kid":%q,"typ":"at+jwt"}`, t.Alg, t.KeyID)
	payload := fmt.Sprintf(`{"iss":%q,"sub":"alice","aud":%q,"exp":%d,"groups":["%s"]}`,
		t.Issuer, t.Audience, t.Expiry, strings.Join(groups, `","`))
	return sign([]byte(header), []byte(payload))
}

// forged signs header and payload, then changes the signature's first
// character.
func forged(sign Signer, header, payload string) (string, error) {
	tok, err := sign([]byte(header), []byte(payload))
	if err != nil {
		return "", err
	}
	dot := strings.LastIndexByte(tok, '.')
	sig := []byte(tok[dot+1:])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	return tok[:dot+1] + string(sig), nil
}
