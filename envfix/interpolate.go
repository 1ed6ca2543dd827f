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
	walkReferences(v, func(literal string) { out.WriteString(literal) }, func(r reference) {
		val, set, ok := look(r.name)
		switch {
		case ok && set:
			out.WriteString(val)
		case ok: // a bare key earlier in the file: "" whatever the default
		case r.hasDef:
			out.WriteString(r.def)
		}
	})
	return out.String()
}

// reference is one ${NAME} or ${NAME:-default} in a value.
type reference struct {
	name, def string
	hasDef    bool
}

// walkReferences splits v into literal text and references, in order, in
// time linear in len(v).
//
// A naive scan looks, at each "${", for the "}" or ":" that ends the name
// and, after ":-", for the "}" that ends the default; on a value made of
// many "${" that finds neither, each scan runs to the end of the value and
// the whole is quadratic (a 1 MiB line of "${" took minutes). Two facts make
// it linear: a later "${" that starts before the stop an earlier scan found
// finds the same stop (the bytes between hold no "}" or ":"), so the stop is
// remembered; and once no "}" is left, no later "${" can complete, so the
// rest is literal.
func walkReferences(v string, literal func(string), ref func(reference)) {
	stop := -1 // absolute index of the "}" or ":" the last name scan found
	at := 0    // start of the literal text not yet handed out
	for i := 0; ; {
		j := strings.Index(v[i:], "${")
		if j < 0 {
			break
		}
		i += j
		if stop <= i+1 {
			k := strings.IndexAny(v[i+2:], "}:")
			if k < 0 {
				break // no "}" or ":" left: nothing more can complete
			}
			stop = i + 2 + k
		}
		r, end, ok := referenceAt(v, i, stop)
		if end < 0 {
			break // no "}" after ":-": nothing more can complete
		}
		if !ok {
			i++
			continue
		}
		literal(v[at:i])
		ref(r)
		at, i = end, end
	}
	literal(v[at:])
}

// referenceAt reads the reference starting with "${" at v[i], whose name
// ends at v[stop] (a "}" or ":"). It returns the index just after it, with
// ok set; ok is false when the "${" is literal, and end is then -1 when no
// "}" is left anywhere after the name.
func referenceAt(v string, i, stop int) (r reference, end int, ok bool) {
	r.name = v[i+2 : stop]
	if v[stop] == '}' {
		return r, stop + 1, true
	}
	if !strings.HasPrefix(v[stop:], ":-") {
		return r, 0, false
	}
	after := v[stop+2:]
	close := strings.IndexByte(after, '}')
	if close < 0 {
		return r, -1, false
	}
	r.def, r.hasDef = after[:close], true
	return r, stop + 2 + close + 1, true
}
