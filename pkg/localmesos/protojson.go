package localmesos

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// A JSON body is read the way Mesos reads it, in two steps, so that a bad
// body gets Mesos' own words:
//
//   - parseJSON (picojson.go) is stout's JSON::parse over picojson 1.3.0,
//     down to the byte it quotes in a syntax error.
//   - convert (this file) is stout's protobuf::parse: JSON types must suit
//     the field, enums must be known names, bytes must be base64, and
//     every required field must be present.
//
// Go's encoding/json alone would accept much that Mesos refuses (trailing
// garbage, 1e999) and refuse some things Mesos accepts ("15" for a number,
// a single value for a list), so a body passes both steps before
// normalise turns it into what encoding/json decodes into our structs.

type kind int

const (
	kString kind = iota
	kBytes
	kNumber
	kBool
	kEnum
	kMessage
	kMap // a map<string, message>: a JSON object of objects
	kAny // a message the stand-in does not check inside
)

// numType is a numeric field's protobuf type: JSON numbers are cast to it
// silently (a fraction truncated, -1 wrapped in an unsigned field), and
// only doubles accept "Infinity".
type numType int

const (
	numDouble numType = iota
	numInt64
	numUint32
	numUint64
)

type field struct {
	name     string
	kind     kind
	required bool
	repeated bool
	num      numType  // kNumber
	msg      *message // kMessage, kMap (the map's value message)
	enum     []string // kEnum
	number   int      // the proto field number, where it matters (see findMissing)
}

type message struct {
	name   string
	fields []field
}

func (m *message) field(name string) *field {
	for i := range m.fields {
		if m.fields[i].name == name {
			return &m.fields[i]
		}
	}
	return nil
}

// convert checks v against the message schema, as stout's protobuf::parse
// does on its way to a protobuf; it returns the conversion error text, or
// "".
func convert(msg *message, v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return "Expecting a JSON object"
	}
	if err := checkObject(msg, obj); err != "" {
		return err
	}
	var missing []string
	findMissing(msg, obj, "", &missing)
	if len(missing) > 0 {
		return "Missing required fields: " + strings.Join(missing, ", ")
	}
	return ""
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

func notExpecting(v any, name string) string {
	return fmt.Sprintf("Not expecting a JSON %s for field '%s'", jsonType(v), name)
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkObject visits the object's keys in sorted order, as stout does (its
// objects are std::maps), and stops at the first error; unknown keys are
// ignored.
func checkObject(msg *message, obj map[string]any) string {
	for _, k := range sortedKeys(obj) {
		if f := msg.field(k); f != nil {
			if err := checkValue(f, obj[k]); err != "" {
				return err
			}
		}
	}
	return ""
}

// checkValue is stout's Parser visitor for one JSON value of a field.
func checkValue(f *field, v any) string {
	switch x := v.(type) {
	case nil:
		return "" // null means unset
	case []any:
		// A list is taken element by element (nested lists flatten); a
		// single value for a repeated field counts as a one-element list.
		if !f.repeated && f.kind != kMap {
			return notExpecting(v, f.name)
		}
		for _, el := range x {
			if err := checkValue(f, el); err != "" {
				return err
			}
		}
		return ""
	case map[string]any:
		switch f.kind {
		case kMessage:
			return checkObject(f.msg, x)
		case kAny:
			return ""
		case kMap:
			for _, k := range sortedKeys(x) {
				el := x[k]
				if _, isObj := el.(map[string]any); !isObj && el != nil {
					return notExpecting(el, "value") // the map entry's value field
				}
				if inner, ok := el.(map[string]any); ok {
					if err := checkObject(f.msg, inner); err != "" {
						return err
					}
				}
			}
			return ""
		}
		return notExpecting(v, f.name)
	case string:
		switch f.kind {
		case kString:
		case kBytes:
			if _, err := stoutBase64(x); err != nil {
				return fmt.Sprintf("Failed to base64 decode bytes field '%s': %v", f.name, err)
			}
		case kEnum:
			if f.required && !knownEnum(f, x) {
				return fmt.Sprintf("Failed to find enum for '%s'", x)
			}
		case kNumber:
			if f.num == numDouble && (x == "Infinity" || x == "-Infinity") {
				return ""
			}
			if _, err := parseTyped[json.Number](x); err != nil {
				return fmt.Sprintf("Failed to parse '%s' as a JSON number for field '%s': %v", x, f.name, err)
			}
		case kBool:
			if _, err := parseTyped[bool](x); err != nil {
				return fmt.Sprintf("Failed to parse '%s' as a JSON boolean for field '%s': %v", x, f.name, err)
			}
		default:
			return notExpecting(v, f.name)
		}
	case json.Number:
		if f.kind != kNumber {
			return notExpecting(v, f.name)
		}
	case bool:
		if f.kind != kBool {
			return notExpecting(v, f.name)
		}
	}
	return ""
}

// parseTyped is stout's JSON::parse<T>: a whole JSON text that must be of
// the given type.
func parseTyped[T any](s string) (T, error) {
	var zero T
	v, err := parseJSON([]byte(s))
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("Unexpected JSON type parsed")
	}
	return t, nil
}

// stoutBase64 decodes the way stout's base64::decode does: it stops at the
// first '=', skips whitespace, and refuses any other byte outside the
// standard alphabet, naming it.
func stoutBase64(s string) ([]byte, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []byte
	var group [4]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			continue
		}
		idx := strings.IndexByte(alphabet, c)
		if idx < 0 {
			return nil, fmt.Errorf("Invalid character '%c'", rune(c))
		}
		group[n] = byte(idx)
		n++
		if n == 4 {
			out = append(out, group[0]<<2|group[1]>>4, group[1]<<4|group[2]>>2, group[2]<<6|group[3])
			n = 0
		}
	}
	if n > 0 {
		for j := n; j < 4; j++ {
			group[j] = 0
		}
		full := []byte{group[0]<<2 | group[1]>>4, group[1]<<4 | group[2]>>2, group[2]<<6 | group[3]}
		out = append(out, full[:n-1]...)
	}
	return out, nil
}

func knownEnum(f *field, s string) bool {
	for _, e := range f.enum {
		if e == s {
			return true
		}
	}
	return false
}

// present says whether a field counts as set: an optional enum with an
// unknown name is dropped by the parser (proto2 semantics), so it is not;
// an empty list sets nothing.
func present(f *field, v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, el := range x {
			if present(f, el) {
				return true
			}
		}
		return false
	case string:
		if f.kind == kEnum {
			return knownEnum(f, x)
		}
	}
	return true
}

// findMissing lists unset required fields with their paths, as protobuf's
// InitializationErrorString does: a message's own missing fields first, in
// declaration order, then those of its set sub-messages, in field-number
// order.
func findMissing(msg *message, obj map[string]any, prefix string, out *[]string) {
	for i := range msg.fields {
		f := &msg.fields[i]
		if f.required && !present(f, obj[f.name]) {
			*out = append(*out, prefix+f.name)
		}
	}
	for _, f := range byNumber(msg) {
		v := obj[f.name]
		switch f.kind {
		case kMessage:
			for j, el := range elements(v) {
				sub, ok := el.(map[string]any)
				if !ok {
					continue
				}
				p := prefix + f.name + "."
				if f.repeated {
					p = fmt.Sprintf("%s%s[%d].", prefix, f.name, j)
				}
				findMissing(f.msg, sub, p, out)
			}
		case kMap:
			// A map is a repeated entry message {key, value}.
			j := 0
			for _, el := range elements(v) {
				entries, _ := el.(map[string]any)
				for _, k := range sortedKeys(entries) {
					if sub, ok := entries[k].(map[string]any); ok {
						findMissing(f.msg, sub, fmt.Sprintf("%s%s[%d].value.", prefix, f.name, j), out)
					}
					j++
				}
			}
		}
	}
}

// elements flattens a field's JSON value into the values it sets.
func elements(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []any
		for _, el := range x {
			out = append(out, elements(el)...)
		}
		return out
	}
	return []any{v}
}

// byNumber lists a message's fields in field-number order; fields without
// a number keep their declaration order, which is their number order in
// every message where the schema gives none.
func byNumber(msg *message) []*field {
	out := make([]*field, len(msg.fields))
	for i := range msg.fields {
		out[i] = &msg.fields[i]
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].number != 0 && out[j].number != 0 && out[i].number < out[j].number
	})
	return out
}

// normalise rewrites what Mesos accepts but encoding/json does not into
// what it does, and re-encodes the body: numbers given as strings, numbers
// cast to integer fields, "true" for a bool, bytes in stout's lenient
// base64, single values for lists, nested lists; unknown keys and optional
// enums with unknown names are dropped. The body has passed convert, so
// every value here has a type its field accepts.
func normalise(m *message, v any) []byte {
	if obj, ok := v.(map[string]any); ok {
		normaliseObject(m, obj)
	}
	b, _ := json.Marshal(v)
	return b
}

func normaliseObject(m *message, obj map[string]any) {
	for k, x := range obj {
		f := m.field(k)
		if f == nil || x == nil {
			delete(obj, k)
			continue
		}
		if f.repeated {
			var list []any
			for _, el := range elements(x) {
				if f.kind == kEnum && !present(f, el) {
					continue
				}
				list = append(list, normaliseValue(f, el))
			}
			if list == nil {
				delete(obj, k)
				continue
			}
			obj[k] = list
			continue
		}
		if f.kind == kEnum && !present(f, x) {
			delete(obj, k)
			continue
		}
		if f.kind == kMap {
			merged := map[string]any{}
			for _, el := range elements(x) {
				entries, _ := el.(map[string]any)
				for ek, ev := range entries {
					if inner, ok := ev.(map[string]any); ok {
						normaliseObject(f.msg, inner)
						merged[ek] = inner
					}
				}
			}
			obj[k] = merged
			continue
		}
		obj[k] = normaliseValue(f, x)
	}
}

func normaliseValue(f *field, x any) any {
	switch f.kind {
	case kNumber:
		var n json.Number
		switch y := x.(type) {
		case json.Number:
			n = y
		case string:
			if y == "Infinity" || y == "-Infinity" {
				return json.Number(strings.TrimSuffix(y, "Infinity") + infinityJSON)
			}
			n, _ = parseTyped[json.Number](y)
		}
		return castNumber(f.num, n)
	case kBool:
		if s, ok := x.(string); ok {
			return s == "true"
		}
	case kBytes:
		b, _ := stoutBase64(x.(string))
		return base64.StdEncoding.EncodeToString(b)
	case kMessage:
		if o, ok := x.(map[string]any); ok {
			normaliseObject(f.msg, o)
		}
	}
	return x
}

// infinityJSON stands for an infinite double: encoding/json can neither
// read nor write one, so "Infinity" in a call becomes the largest double,
// which the stand-in treats as infinite (isInfinite) and eventJSON writes
// back as Mesos does, "Infinity".
const infinityJSON = "1.7976931348623157e+308"

func isInfinite(v float64) bool { return v >= math.MaxFloat64 || v <= -math.MaxFloat64 }

// castNumber converts a JSON number to the field's type as a C++ cast
// does: fractions are truncated and unsigned values wrap.
func castNumber(t numType, n json.Number) json.Number {
	if t == numDouble {
		return n
	}
	var i int64
	if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		i = v
	} else {
		f, _ := strconv.ParseFloat(string(n), 64)
		switch {
		case t == numUint64 && f >= math.MaxInt64 && f < math.MaxUint64:
			return json.Number(strconv.FormatUint(uint64(f), 10))
		case math.IsNaN(f):
		case f >= math.MaxInt64:
			i = math.MaxInt64
		case f <= math.MinInt64:
			i = math.MinInt64
		default:
			i = int64(f)
		}
	}
	switch t {
	case numUint32:
		return json.Number(strconv.FormatUint(uint64(uint32(i)), 10))
	case numUint64:
		return json.Number(strconv.FormatUint(uint64(i), 10))
	}
	return json.Number(strconv.FormatInt(i, 10))
}
