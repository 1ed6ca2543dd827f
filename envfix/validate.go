package envfix

import (
	"encoding/json"
	"strings"
	"unicode"
)

// This file reads setting values as FlowMeter's pydantic 2 reads them: the
// string from the environment or the .env, validated in pydantic-core's lax
// mode (the mode BaseSettings uses). The rules follow pydantic-core 2.41.5
// (commit 383eb95a19433754c0cecf7025b50c26b6d97a36), jiter 0.11 and
// pydantic-settings 2.12 (d26fc0c3944fe68cf169f86386988bb83e3df2d8); each
// function names the source function it follows.

// maxIntLen is jiter's bound on the length of an integer string (the digits
// and a leading minus), after which pydantic refuses it with
// int_parsing_size (jiter's IntParse::parse; pydantic-core's test_too_long).
const maxIntLen = 4300

// wholeNumber is an integer as pydantic reads it: a sign and its decimal
// digits without leading zeros ("0" for zero).
type wholeNumber struct {
	neg    bool
	digits string
}

// parseWholeNumber reads s as pydantic-core's str_as_int does for an int
// field in lax mode (src/input/shared.rs): first the whole string as a JSON
// integer (jiter's NumberInt::try_from), then, if that fails, the string
// cleaned by clean_int_str and read again as a JSON integer. Nothing else:
// no float reading, no 0x, no exponent, no non-ASCII digits.
func parseWholeNumber(s string) (wholeNumber, bool) {
	if n, ok := jsonInt(s); ok {
		return n, true
	}
	c, ok := cleanIntStr(s)
	if !ok {
		return wholeNumber{}, false
	}
	return jsonInt(c)
}

// jsonInt is jiter's NumberInt::from_bytes: the whole of s must be a JSON
// integer, -?(0|[1-9][0-9]*), of at most maxIntLen bytes.
func jsonInt(s string) (wholeNumber, bool) {
	if len(s) > maxIntLen {
		return wholeNumber{}, false
	}
	d, neg := strings.CutPrefix(s, "-")
	if d == "" || d[0] == '0' && len(d) > 1 || !asciiDigits(d) {
		return wholeNumber{}, false
	}
	return wholeNumber{neg: neg && d != "0", digits: d}, true
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cleanIntStr is pydantic-core's clean_int_str: trim Unicode White_Space
// (Rust's str::trim; Go's unicode.IsSpace is the same set, and unlike
// Python's str.strip it keeps U+001C..U+001F), drop one leading '+', set
// aside one leading '-', strip leading zeros (strip_leading_zeros), drop a
// ".000" tail, then remove single underscores between digits
// (strip_underscores). It fails when nothing changed, as the Rust code does
// (the first JSON reading already refused that string).
func cleanIntStr(s string) (string, bool) {
	lenBefore := len(s)
	s = strings.TrimFunc(s, unicode.IsSpace)
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		if strings.HasPrefix(rest, "-") {
			return "", false
		}
		s = rest
	}
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
			return "", false
		}
		sign, s = "-", rest
	}
	s, ok := stripLeadingZeros(s)
	if !ok {
		return "", false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if dec := s[i+1:]; dec != "" && strings.Trim(dec, "0") == "" {
			s = s[:i]
		}
	}
	if stripped, ok := stripUnderscores(s); ok {
		return sign + stripped, true
	}
	if lenBefore == len(s) {
		return "", false
	}
	return sign + s, true
}

// stripLeadingZeros is pydantic-core's strip_leading_zeros: "000" is "0",
// "00.0" is "0.0", "0_042" is "42"; a string that starts with anything but
// a digit or '-' is refused. Like the original it returns the rest of the
// string at the first other digit or '-' ("0-5" gives "-5").
func stripLeadingZeros(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	switch c := s[0]; {
	case c == '0':
	case c >= '1' && c <= '9' || c == '-':
		return s, true
	default:
		return "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '0' || c == '_':
		case c >= '1' && c <= '9' || c == '-':
			return s[i:], true
		case c == '.':
			// The character before is '0' or '_', one byte.
			return s[i-1:], true
		default:
			return "", false
		}
	}
	return s[len(s)-1:], true
}

// stripUnderscores is pydantic-core's strip_underscores: underscores are
// removed only when there are some and none leads, trails or doubles.
func stripUnderscores(s string) (string, bool) {
	if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || !strings.Contains(s, "_") || strings.Contains(s, "__") {
		return "", false
	}
	return strings.ReplaceAll(s, "_", ""), true
}

// port returns the number as a TCP port, and whether it is one (0..65535).
// pydantic accepts any whole number for FlowMeter's `port: int`; it is the
// socket's bind that refuses the rest (OverflowError: port must be 0-65535).
func (n wholeNumber) port() (int, bool) {
	if n.neg || len(n.digits) > 5 {
		return 0, false
	}
	p := 0
	for i := 0; i < len(n.digits); i++ {
		p = p*10 + int(n.digits[i]-'0')
	}
	if p > 65535 {
		return 0, false
	}
	return p, true
}

// parseBool reads s as pydantic-core's str_as_bool (src/input/shared.rs) for
// a bool field in lax mode: the exact string, no trimming, compared with
// ASCII-only case folding (eq_ignore_ascii_case; so "ſ" is not "s", as Go's
// strings.EqualFold would have it).
func parseBool(s string) (value, ok bool) {
	switch {
	case s == "0" || asciiFoldedIn(s, "f", "n", "no", "off", "false"):
		return false, true
	case s == "1" || asciiFoldedIn(s, "t", "y", "on", "yes", "true"):
		return true, true
	}
	return false, false
}

// asciiFoldedIn reports whether s equals one of the lower-case ASCII words
// when ASCII letters only are folded.
func asciiFoldedIn(s string, words ...string) bool {
	for _, w := range words {
		if len(s) == len(w) && asciiLower(s) == w {
			return true
		}
	}
	return false
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// listProblem says what pydantic-settings and pydantic make of a value for a
// `list[str]` field (CORS_ORIGINS, ALLOWED_EXTENSIONS).
type listProblem int

const (
	// listOK: a JSON list of strings.
	listOK listProblem = iota
	// listNull: JSON null. pydantic-settings' json.loads gives None, which
	// the source drops, so the next source or the default applies
	// (PydanticBaseEnvSettingsSource.__call__: `if field_value is not None`).
	listNull
	// listNotJSON: json.loads raises, and pydantic-settings raises
	// SettingsError ("error parsing value for field") from that source,
	// whether or not a stronger source sets the field too.
	listNotJSON
	// listNotStrings: JSON, but not a list of strings; pydantic 2's lax
	// list[str] refuses it (validate_list refuses str and dict, validate_str
	// refuses numbers, booleans and null) once it is the value used.
	listNotStrings
)

// parseStrList reads s as pydantic-settings' decode_complex_value
// (json.loads, Python's json) followed by pydantic 2's list[str] validation,
// and returns the strings of a good list.
func parseStrList(s string) ([]string, listProblem) {
	if !pythonJSON(s) {
		return nil, listNotJSON
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, listNotStrings
	}
	if items == nil {
		return nil, listNull // only JSON null leaves the slice nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var v string
		if len(it) == 0 || it[0] != '"' || json.Unmarshal(it, &v) != nil {
			return nil, listNotStrings
		}
		out = append(out, v)
	}
	return out, listOK
}

// pythonJSON reports whether Python's json.loads accepts s. Its grammar is
// JSON's (the same whitespace " \t\n\r", the same strict strings, the same
// numbers; a BOM refused) plus the constants NaN, Infinity and -Infinity.
// Those are replaced by null outside strings before Go's json.Valid judges
// the rest. (Python also gives up on nesting deeper than its recursion
// limit, about a thousand levels; no list FlowMeter reads comes near.)
func pythonJSON(s string) bool {
	if json.Valid([]byte(s)) {
		return true
	}
	var b strings.Builder
	inString, escaped, replaced := false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		default:
			if w := pythonConstantAt(s[i:]); w > 0 {
				b.WriteString("null")
				i += w - 1
				replaced = true
				continue
			}
		}
		b.WriteByte(c)
	}
	return replaced && json.Valid([]byte(b.String()))
}

// pythonConstantAt returns the length of the Python-only JSON constant that
// starts s, or 0.
func pythonConstantAt(s string) int {
	for _, w := range []string{"-Infinity", "Infinity", "NaN"} {
		if strings.HasPrefix(s, w) {
			return len(w)
		}
	}
	return 0
}
