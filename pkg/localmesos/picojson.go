package localmesos

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file is the first of the two steps in which the stand-in reads a
// JSON body the way Mesos does (protojson.go is the second): parseJSON is
// stout's JSON::parse over picojson 1.3.0. Its syntax error texts ("syntax
// error at line 1 near: ...") depend on exactly which byte the parser had
// read when it gave up, so the parser below reads the way picojson does,
// one byte and one push-back at a time.

// maxJSONDepth is stout's STOUT_JSON_MAX_DEPTH: how deeply arrays and
// objects may nest. It also keeps a hostile body from exhausting the stack.
const maxJSONDepth = 200

// picoInput is picojson's input: one byte read at a time with a one-byte
// push-back, and a line count that moves on when a byte is read after a
// newline.
type picoInput struct {
	b     []byte
	cur   int
	last  int // the last byte read, -1 at the end of the input
	ungot bool
	line  int
}

func (in *picoInput) getc() int {
	if in.ungot {
		in.ungot = false
		return in.last
	}
	if in.cur == len(in.b) {
		in.last = -1
		return -1
	}
	if in.last == '\n' {
		in.line++
	}
	in.last = int(in.b[in.cur])
	in.cur++
	return in.last
}

func (in *picoInput) ungetc() {
	if in.last != -1 {
		in.ungot = true
	}
}

func (in *picoInput) skipWS() {
	for {
		ch := in.getc()
		if ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' {
			in.ungetc()
			return
		}
	}
}

func (in *picoInput) expect(want int) bool {
	in.skipWS()
	if in.getc() != want {
		in.ungetc()
		return false
	}
	return true
}

func (in *picoInput) match(pattern string) bool {
	for i := 0; i < len(pattern); i++ {
		if in.getc() != int(pattern[i]) {
			in.ungetc()
			return false
		}
	}
	return true
}

// errOutOfRange is what picojson throws for a number that overflows a
// double, and stout turns into "Value out of range".
type errOutOfRange struct{}

// picoParser builds the parsed value: map[string]any (a repeated key keeps
// its last value), []any, string (raw bytes, as picojson does not check
// UTF-8), json.Number, bool or nil.
type picoParser struct {
	in         picoInput
	outOfRange bool
}

func (p *picoParser) value(depth int) (any, bool) {
	in := &p.in
	in.skipWS()
	ch := in.getc()
	switch ch {
	case 'n':
		return nil, in.match("ull")
	case 'f':
		return false, in.match("alse")
	case 't':
		return true, in.match("rue")
	case '"':
		return p.str()
	case '[':
		if depth <= 0 {
			return nil, false
		}
		arr := []any{}
		if in.expect(']') {
			return arr, true
		}
		for {
			v, ok := p.value(depth - 1)
			if !ok {
				return nil, false
			}
			arr = append(arr, v)
			if !in.expect(',') {
				break
			}
		}
		return arr, in.expect(']')
	case '{':
		if depth <= 0 {
			return nil, false
		}
		obj := map[string]any{}
		if in.expect('}') {
			return obj, true
		}
		for {
			if !in.expect('"') {
				return nil, false
			}
			key, ok := p.str()
			if !ok || !in.expect(':') {
				return nil, false
			}
			v, ok := p.value(depth - 1)
			if !ok {
				return nil, false
			}
			obj[key.(string)] = v
			if !in.expect(',') {
				break
			}
		}
		return obj, in.expect('}')
	}
	if ('0' <= ch && ch <= '9') || ch == '-' {
		in.ungetc()
		return p.number()
	}
	in.ungetc()
	return nil, false
}

// number reads the longest run of number characters and takes it as an
// int64 (strtoimax) or else a double (strtod), as picojson does; a run
// neither consumes whole fails.
func (p *picoParser) number() (any, bool) {
	in := &p.in
	var run []byte
	for {
		ch := in.getc()
		if ('0' <= ch && ch <= '9') || ch == '+' || ch == '-' || ch == 'e' || ch == 'E' || ch == '.' {
			run = append(run, byte(ch))
			continue
		}
		in.ungetc()
		break
	}
	s := string(run)
	if s == "" {
		return nil, false
	}
	if isCInteger(s) {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), true
		}
	}
	if !isCDecimal(s) {
		return nil, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && math.IsInf(f, 0) {
		p.outOfRange = true
		return nil, false
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
}

// isCInteger says whether strtoimax consumes all of s.
func isCInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isCDecimal says whether strtod consumes all of s: a sign, digits with at
// most one point and at least one digit, then an optional exponent with
// digits.
func isCDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
			continue
		case s[i] == '.' && !point:
			point = true
			continue
		}
		break
	}
	if digits == 0 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// str reads a string after its opening quote, as picojson's _parse_string.
func (p *picoParser) str() (any, bool) {
	in := &p.in
	var out []byte
	for {
		ch := in.getc()
		switch {
		case ch < ' ':
			in.ungetc()
			return nil, false
		case ch == '"':
			return string(out), true
		case ch == '\\':
			ch = in.getc()
			switch ch {
			case '"', '\\', '/':
				out = append(out, byte(ch))
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				var ok bool
				if out, ok = p.codepoint(out); !ok {
					return nil, false
				}
			default:
				return nil, false
			}
		default:
			out = append(out, byte(ch))
		}
	}
}

func (p *picoParser) quadhex() int {
	in := &p.in
	u := 0
	for range 4 {
		h := in.getc()
		switch {
		case h == -1:
			return -1
		case '0' <= h && h <= '9':
			h -= '0'
		case 'A' <= h && h <= 'F':
			h -= 'A' - 10
		case 'a' <= h && h <= 'f':
			h -= 'a' - 10
		default:
			in.ungetc()
			return -1
		}
		u = u*16 + h
	}
	return u
}

func (p *picoParser) codepoint(out []byte) ([]byte, bool) {
	in := &p.in
	u := p.quadhex()
	if u == -1 {
		return out, false
	}
	if 0xd800 <= u && u <= 0xdfff {
		if u >= 0xdc00 {
			return out, false // the second half of a pair came first
		}
		if in.getc() != '\\' || in.getc() != 'u' {
			in.ungetc()
			return out, false
		}
		second := p.quadhex()
		if second < 0xdc00 || second > 0xdfff {
			return out, false
		}
		u = ((u-0xd800)<<10 | (second-0xdc00)&0x3ff) + 0x10000
	}
	switch {
	case u < 0x80:
		out = append(out, byte(u))
	case u < 0x800:
		out = append(out, byte(0xc0|u>>6), byte(0x80|u&0x3f))
	case u < 0x10000:
		out = append(out, byte(0xe0|u>>12), byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
	default:
		out = append(out, byte(0xf0|u>>18), byte(0x80|(u>>12)&0x3f), byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
	}
	return out, true
}

// parseJSON is stout's JSON::parse: picojson, then a check that nothing
// but whitespace follows the value. Its error texts are Mesos' own.
func parseJSON(body []byte) (any, error) {
	p := &picoParser{in: picoInput{b: body, last: -1, line: 1}}
	v, ok := p.value(maxJSONDepth)
	if p.outOfRange {
		return nil, fmt.Errorf("Value out of range")
	}
	if !ok {
		line := p.in.line
		var rest []byte
		for {
			ch := p.in.getc()
			if ch == -1 || ch == '\n' {
				break
			}
			if ch >= ' ' {
				rest = append(rest, byte(ch))
			}
		}
		return nil, fmt.Errorf("syntax error at line %d near: %s", line, rest)
	}
	end := p.in.cur
	visible := len(strings.TrimRight(string(body), " \t\n\r"))
	if end != visible {
		// After a top-level number picojson has read one byte too many,
		// so the end can lie past the last visible byte; stout then
		// quotes everything from there on.
		rest := body[end:]
		if visible > end {
			rest = body[end:visible]
		}
		return nil, fmt.Errorf("Parsed JSON included non-whitespace trailing characters: %s", rest)
	}
	return v, nil
}
