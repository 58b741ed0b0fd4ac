package jose

import (
	"bytes"
	"encoding/json"
	"errors"
	"unsafe"
)

// Scanning of JSON that json.Valid has accepted: the hot path reads the
// members it needs as subslices, without the allocations of decoding into
// structs.

// EachMember calls fn with the name (decoded when it holds escapes) and the
// raw value of each member of the JSON object obj, which must be valid
// JSON. It reports an error when obj is not an object.
func EachMember(obj []byte, fn func(name, value []byte)) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errors.New("not a JSON object")
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] == '}' {
			return nil
		}
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
		end := stringEnd(obj, i)
		name := obj[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if json.Unmarshal(obj[i:end], &s) == nil {
				name = []byte(s)
			}
		}
		i = skipSpace(obj, end)
		i = skipSpace(obj, i+1) // past the colon
		vend := valueEnd(obj, i)
		fn(name, obj[i:vend:vend])
		i = vend
	}
}

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

// Unquote returns the string a valid JSON string literal holds. Without
// escapes the string shares lit's memory, which must never change
// afterwards: the decoded segments of a token never do.
func Unquote(lit []byte) (string, error) {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return unsafe.String(unsafe.SliceData(inner), len(inner)), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i], or
// len(b) when it is not terminated (the input is valid JSON here).
func stringEnd(b []byte, i int) int {
	if end, _ := scanString(b, i); end >= 0 {
		return end
	}
	return len(b)
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
