package rbac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// A misspelled field in a rule read from configuration ("all_scops") must
// not be dropped: the rule would then require less than its author wrote.
// Rules decoded from JSON or YAML therefore refuse every field they do not
// know, at every depth, with an error naming it.

// UnmarshalJSON decodes a rule, refusing unknown fields, fields not
// written exactly as named ("All_Roles": encoding/json would take it),
// fields given twice (it would keep the last) and null fields (it would
// read them as absent).
func (r *Rule) UnmarshalJSON(b []byte) error {
	if err := exactNames(b); err != nil {
		return fmt.Errorf("rbac: rule: %w", err)
	}
	type plain Rule // without the method, so as not to recurse
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("rbac: rule: %w", err)
	}
	*r = Rule(p)
	return nil
}

// exactNames checks the member names of the JSON object b, if it is one.
func exactNames(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil // not an object: Decode says what is wrong
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		switch {
		case !ruleFields[name]:
			return fmt.Errorf("unknown field %q", name)
		case seen[name]:
			return fmt.Errorf("field %q given twice", name)
		}
		seen[name] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		if string(value) == "null" { // read as absent: say it, rather than drop a requirement
			return fmt.Errorf("field %q is null", name)
		}
	}
	return nil
}

// UnmarshalYAML decodes a rule with a YAML decoder (gopkg.in/yaml.v2 and
// v3, go.yaml.in/yaml, and others that call this form), refusing unknown
// fields.
func (r *Rule) UnmarshalYAML(unmarshal func(any) error) error {
	var fields map[string]any
	if err := unmarshal(&fields); err != nil {
		return fmt.Errorf("rbac: rule: %w", err)
	}
	for name, v := range fields {
		switch {
		case !ruleFields[name]:
			return fmt.Errorf("rbac: rule: unknown field %q", name)
		case v == nil:
			return fmt.Errorf("rbac: rule: field %q is null", name)
		}
	}
	type plain Rule
	var p plain
	if err := unmarshal(&p); err != nil {
		return fmt.Errorf("rbac: rule: %w", err)
	}
	*r = Rule(p)
	return nil
}

// ruleFields are the YAML names of Rule's fields, from its tags.
var ruleFields = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeFor[Rule]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		out[name] = true
	}
	return out
}()

// Rules is a route table's rules by key ("GET /items"), as read from
// configuration. Decoded from JSON it refuses a key given twice
// (encoding/json would keep the last, silently), and each rule refuses what
// Rule refuses; YAML decoders refuse duplicate keys themselves. Pass it
// where a map[string]Rule is wanted.
type Rules map[string]Rule

// UnmarshalJSON decodes a JSON object of rules, refusing duplicate keys.
func (rs *Rules) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("rbac: rules: want a JSON object of rules by key")
	}
	out := Rules{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("rbac: rules: %w", err)
		}
		key, _ := tok.(string)
		if _, dup := out[key]; dup {
			return fmt.Errorf("rbac: rules: key %q given twice", key)
		}
		var r Rule
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("rbac: rules: %q: %w", key, err)
		}
		out[key] = r
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("rbac: rules: %w", err)
	}
	*rs = out
	return nil
}
