package mesos

import (
	"strconv"
	"strings"
)

// ValueType says which of scalar, ranges, set or text a Resource or
// Attribute carries.
type ValueType string

// The value types of mesos.proto's Value.Type.
const (
	Scalar ValueType = "SCALAR"
	Ranges ValueType = "RANGES"
	Set    ValueType = "SET"
	Text   ValueType = "TEXT"
)

// ScalarValue is a floating point value. Mesos keeps three decimal digits.
type ScalarValue struct {
	Value float64 `json:"value"`
}

// Range is an inclusive range of unsigned integers, such as ports.
type Range struct {
	Begin uint64 `json:"begin"`
	End   uint64 `json:"end"`
}

// RangesValue is a list of ranges.
type RangesValue struct {
	Range []Range `json:"range"`
}

// SetValue is a set of strings.
type SetValue struct {
	Item []string `json:"item"`
}

// TextValue is a string.
type TextValue struct {
	Value string `json:"value"`
}

// String writes ranges the way Mesos' flags and /state do: [9000-10000, 31000-31000].
func (r RangesValue) String() string {
	b := []byte{'['}
	for i, x := range r.Range {
		if i > 0 {
			b = append(b, ',', ' ')
		}
		b = strconv.AppendUint(b, x.Begin, 10)
		b = append(b, '-')
		b = strconv.AppendUint(b, x.End, 10)
	}
	return string(append(b, ']'))
}

// Size is how many integers the ranges cover.
func (r RangesValue) Size() uint64 {
	var n uint64
	for _, x := range r.Range {
		if x.End >= x.Begin {
			n += x.End - x.Begin + 1
		}
	}
	return n
}

// Contains reports whether v lies in one of the ranges.
func (r RangesValue) Contains(v uint64) bool {
	for _, x := range r.Range {
		if v >= x.Begin && v <= x.End {
			return true
		}
	}
	return false
}

// Attribute is a label on an agent, such as rack:r2d2. Offers carry the
// agent's attributes so schedulers can choose where tasks go.
type Attribute struct {
	Name   string       `json:"name"`
	Type   ValueType    `json:"type"`
	Scalar *ScalarValue `json:"scalar,omitempty"`
	Ranges *RangesValue `json:"ranges,omitempty"`
	Set    *SetValue    `json:"set,omitempty"`
	Text   *TextValue   `json:"text,omitempty"`
}

// String gives the attribute in mesos-agent's flag syntax, name:value.
func (a Attribute) String() string {
	v := ""
	switch {
	case a.Text != nil:
		v = a.Text.Value
	case a.Scalar != nil:
		v = strconv.FormatFloat(a.Scalar.Value, 'f', -1, 64)
	case a.Ranges != nil:
		v = a.Ranges.String()
	case a.Set != nil:
		v = "{" + strings.Join(a.Set.Item, ",") + "}"
	}
	return a.Name + ":" + v
}

// Label is a key and an optional value.
type Label struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

// Labels is the list wrapper Mesos uses for labels: {"labels": [...]}.
type Labels struct {
	Labels []Label `json:"labels,omitempty"`
}

// Parameter is a key and value pair, such as a docker run option.
type Parameter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Parameters is the list wrapper for parameters.
type Parameters struct {
	Parameter []Parameter `json:"parameter,omitempty"`
}

// DurationInfo is a duration in nanoseconds.
type DurationInfo struct {
	Nanoseconds int64 `json:"nanoseconds"`
}

// TimeInfo is a point in time, nanoseconds since the Unix epoch.
type TimeInfo struct {
	Nanoseconds int64 `json:"nanoseconds"`
}

// URL is a URL split into parts, as offers carry the agent's.
type URL struct {
	Scheme   string      `json:"scheme"`
	Address  Address     `json:"address"`
	Path     string      `json:"path,omitempty"`
	Query    []Parameter `json:"query,omitempty"`
	Fragment string      `json:"fragment,omitempty"`
}
