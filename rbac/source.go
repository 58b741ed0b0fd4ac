package rbac

// Shape is how a claim holds its authorities.
type Shape uint8

// Shapes.
const (
	// ShapeSpaceDelimited: one string of space-separated names ("scope": "a b").
	ShapeSpaceDelimited Shape = iota + 1
	// ShapeArray: an array of strings ("roles": ["a", "b"]).
	ShapeArray
	// ShapeString: a single name ("role": "admin").
	ShapeString
	// ShapeObjectKeys: an object whose member names are the authorities
	// (Zitadel's "urn:zitadel:iam:org:project:roles": {"admin": {...}}).
	ShapeObjectKeys
	// ShapeNames: an array of strings or one space-separated string, as
	// providers write "scp" (Okta and Ory Hydra an array, Entra ID a string)
	// and as middleware.Claims.Scopes reads it.
	ShapeNames
)

func (s Shape) String() string {
	switch s {
	case ShapeSpaceDelimited:
		return "space-delimited string"
	case ShapeArray:
		return "array of strings"
	case ShapeString:
		return "string"
	case ShapeObjectKeys:
		return "object"
	case ShapeNames:
		return "array of strings or space-delimited string"
	}
	return "unknown shape"
}

// Source is one place in the claims that holds authorities of one kind.
type Source struct {
	Kind  Kind
	Path  Path
	Shape Shape
	// Unless, when set, is the path of a claim that turns this source off:
	// the source reads nothing when that claim is present and not null.
	// The presets' "scp" source has Unless "scope": a token carrying both
	// grants the scopes of "scope" alone, as middleware.Claims.Scopes
	// reads them.
	Unless Path
}

// Mismatch reports a claim that was present but not of its source's shape:
// it yielded no authorities.
type Mismatch struct {
	Source Source
	Got    string // the JSON type found: "number", "object", "null", "array containing number", …
}
