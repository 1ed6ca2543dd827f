package envfix

import "strings"

// lookup finds a variable for interpolation. ok is false when the name is
// not defined at all; set is false when it is defined as a bare key, which
// python-dotenv expands to "" (not to the default).
type lookup func(name string) (value string, set, ok bool)

// interpolate expands ${NAME} and ${NAME:-default} as python-dotenv does;
// $NAME without braces stays literal. The grammar is the regular expression
// \$\{([^}:]*)(?::-([^}]*))?\}: a "${" that does not complete it is literal,
// and the search goes on at the next "${".
func interpolate(v string, look lookup) string {
	if !strings.Contains(v, "${") {
		return v
	}
	var out strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			out.WriteString(v)
			return out.String()
		}
		name, def, hasDef, n := variableAt(v[i:])
		if n == 0 {
			out.WriteString(v[:i+1])
			v = v[i+1:]
			continue
		}
		out.WriteString(v[:i])
		val, set, ok := look(name)
		switch {
		case ok && set:
			out.WriteString(val)
		case ok: // a bare key earlier in the file: "" whatever the default
		case hasDef:
			out.WriteString(def)
		}
		v = v[i+n:]
	}
}

// variableAt parses a ${...} reference at the start of s and returns its
// length, or n == 0 when s does not start with one.
func variableAt(s string) (name, def string, hasDef bool, n int) {
	rest := s[2:]
	end := strings.IndexAny(rest, "}:")
	if end < 0 {
		return "", "", false, 0
	}
	name = rest[:end]
	if rest[end] == '}' {
		return name, "", false, 2 + end + 1
	}
	if !strings.HasPrefix(rest[end:], ":-") {
		return "", "", false, 0
	}
	after := rest[end+2:]
	close := strings.IndexByte(after, '}')
	if close < 0 {
		return "", "", false, 0
	}
	return name, after[:close], true, 2 + end + 2 + close + 1
}
