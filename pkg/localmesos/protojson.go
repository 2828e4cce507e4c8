package localmesos

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file checks a JSON body the way Mesos converts it into a protobuf
// message (stout's protobuf.hpp Parser): JSON types must suit the field,
// enums must be known names, bytes must be base64, and every required
// field must be present. Go's encoding/json alone would accept much that
// Mesos refuses (and refuse some things Mesos accepts, such as "15" for a
// number), so requests are checked against this schema before they are
// decoded into structs.

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

type field struct {
	name     string
	kind     kind
	required bool
	repeated bool
	msg      *message // kMessage, kMap
	enum     []string // kEnum
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

// jsonError reproduces picojson's and stout's texts for a body that is not
// JSON: "syntax error at line N near: <rest of the line>".
func parseJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		off := len(body)
		if se, ok := err.(*json.SyntaxError); ok {
			off = int(se.Offset) - 1
		}
		off = max(0, min(off, len(body)))
		line := 1 + bytes.Count(body[:off], []byte("\n"))
		near := body[off:]
		if i := bytes.IndexByte(near, '\n'); i >= 0 {
			near = near[:i]
		}
		return nil, fmt.Errorf("syntax error at line %d near: %s", line, near)
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("Parsed JSON included non-whitespace trailing characters: %s", rest)
	}
	return v, nil
}

// convert checks v against the message schema, as stout's Parser does on
// its way to a protobuf; it returns the conversion error text, or "".
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

func notExpecting(v any, f *field) string {
	return fmt.Sprintf("Not expecting a JSON %s for field '%s'", jsonType(v), f.name)
}

func checkObject(msg *message, obj map[string]any) string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := msg.field(k)
		v := obj[k]
		if f == nil || v == nil {
			continue // unknown keys are ignored, null means unset
		}
		if arr, ok := v.([]any); ok {
			if !f.repeated {
				return notExpecting(v, f)
			}
			for _, el := range arr {
				if err := checkValue(f, el); err != "" {
					return err
				}
			}
			continue
		}
		if err := checkValue(f, v); err != "" {
			return err
		}
	}
	return ""
}

func checkValue(f *field, v any) string {
	if v == nil {
		return ""
	}
	switch f.kind {
	case kString:
		if _, ok := v.(string); !ok {
			return notExpecting(v, f)
		}
	case kBytes:
		s, ok := v.(string)
		if !ok {
			return notExpecting(v, f)
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return fmt.Sprintf("Failed to base64 decode bytes field '%s': Invalid character detected", f.name)
		}
	case kNumber:
		switch x := v.(type) {
		case json.Number:
		case string:
			if _, err := strconv.ParseFloat(x, 64); err != nil && x != "Infinity" && x != "-Infinity" {
				return fmt.Sprintf("Failed to convert '%s' to number for field '%s'", x, f.name)
			}
		default:
			return notExpecting(v, f)
		}
	case kBool:
		switch x := v.(type) {
		case bool:
		case string:
			if x != "true" && x != "false" {
				return fmt.Sprintf("Failed to convert '%s' to boolean for field '%s'", x, f.name)
			}
		default:
			return notExpecting(v, f)
		}
	case kEnum:
		s, ok := v.(string)
		if !ok {
			return notExpecting(v, f)
		}
		if f.required && !knownEnum(f, s) {
			return fmt.Sprintf("Failed to find enum for '%s'", s)
		}
	case kMessage, kAny:
		obj, ok := v.(map[string]any)
		if !ok {
			return notExpecting(v, f)
		}
		if f.kind == kMessage {
			return checkObject(f.msg, obj)
		}
	case kMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return notExpecting(v, f)
		}
		for _, el := range obj {
			inner, ok := el.(map[string]any)
			if !ok {
				return notExpecting(el, f)
			}
			if err := checkObject(f.msg, inner); err != "" {
				return err
			}
		}
	}
	return ""
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
// unknown name is dropped by the parser (proto2 semantics), so it is not.
func present(f *field, v any) bool {
	if v == nil {
		return false
	}
	if f.kind == kEnum && !f.repeated {
		s, _ := v.(string)
		return knownEnum(f, s)
	}
	return true
}

// findMissing lists unset required fields with their paths, in field
// order, as protobuf's InitializationErrorString does.
func findMissing(msg *message, obj map[string]any, prefix string, out *[]string) {
	for i := range msg.fields {
		f := &msg.fields[i]
		v, ok := obj[f.name]
		if f.required && (!ok || !present(f, v)) {
			*out = append(*out, prefix+f.name)
			continue
		}
		if f.kind != kMessage || v == nil {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			findMissing(f.msg, x, prefix+f.name+".", out)
		case []any:
			for j, el := range x {
				if m, ok := el.(map[string]any); ok {
					findMissing(f.msg, m, fmt.Sprintf("%s%s[%d].", prefix, f.name, j), out)
				}
			}
		}
	}
}
