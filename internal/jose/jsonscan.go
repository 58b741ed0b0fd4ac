package jose

import (
	"bytes"
	"unsafe"
)

// Scanning of JSON that scanObject has validated: the hot path reads the
// values it needs as subslices, without the allocations of decoding into
// structs.

// EachElement calls fn with each element of the JSON array arr, which must
// be valid JSON; it stops at the first error.
func EachElement(arr []byte, fn func(elem []byte) error) error {
	i := skipSpace(arr, 1)
	for i < len(arr) && arr[i] != ']' {
		end := valueEnd(arr, i)
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
	return nil
}

// EachMember calls fn with the name (decoded) and the value of each member
// of the JSON object obj, which scanObject has validated (so no name is
// there twice; white space may surround it); it stops when fn returns
// false.
func EachMember(obj []byte, fn func(name string, value []byte) bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i = skipSpace(obj, i+1)
	for i < len(obj) && obj[i] == '"' {
		end := stringEnd(obj, i)
		name := Unquote(obj[i:end])
		i = skipSpace(obj, end)
		i = skipSpace(obj, i+1) // past the colon
		end = valueEnd(obj, i)
		if !fn(name, obj[i:end]) {
			return
		}
		i = skipSpace(obj, end)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

// Unquote returns the string a JSON string literal that scanObject has
// validated holds. Without escapes the string shares lit's memory, which
// must never change afterwards: a token's decoded payload is its own and
// is never written after its decoding. (Sharing saves a copy per claim,
// about 0.1% of a verification; it stays because EdDSA's 1.035× target
// has no more margin than that: bench/RESULTS.md.)
func Unquote(lit []byte) string {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return unsafe.String(unsafe.SliceData(inner), len(inner))
	}
	return string(appendUnescaped(nil, inner))
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] (a
// quote), or len(b) when it is not terminated (the input is valid JSON
// here).
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

func isDelim(c byte) bool {
	switch c {
	case ',', ':', '[', ']', '{', '}', '"', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// valueEnd returns the index just past the valid JSON value at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !isDelim(b[j]) {
		j++
	}
	return j
}
