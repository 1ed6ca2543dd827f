package envfix

import (
	"strconv"
	"strings"
)

// FlowMeter's defaults, used when neither the environment nor the file sets
// a value.
const (
	DefaultHost = "0.0.0.0"
	DefaultPort = 8000
)

// Source says where the value FlowMeter uses comes from.
type Source string

// The sources, in the words of the JSON contract.
const (
	SourceFile        Source = "file"
	SourceDefault     Source = "default"
	SourceEnvironment Source = "environment"
)

// Setting is the value FlowMeter would use for one key at its next start.
type Setting struct {
	// Key is the folded (lower-case) key, as pydantic-settings matches it.
	Key    string
	Value  string
	Source Source
	// Statement is the index in Reading.Statements of the line that decides
	// the value when Source is SourceFile, or of the bare key line that
	// unsets it when Source is SourceDefault; -1 otherwise.
	Statement int
	// EnvName is the environment variable that decides the value when
	// Source is SourceEnvironment.
	EnvName string
}

// Value is one folded key of the file with the value FlowMeter reads.
type Value struct {
	// Set is false for a bare key, which FlowMeter treats as unset.
	Set   bool
	Value string
	// Statement is the index of the deciding statement.
	Statement int
}

// Reading is a .env file read as FlowMeter reads it.
type Reading struct {
	// Bytes are the file's original bytes; nil when the file is missing.
	Bytes      []byte
	Statements []Statement
	// Values maps each folded key to the value FlowMeter reads from the
	// file, after interpolation and case folding.
	Values map[string]Value
	// Order lists the folded keys in the order pydantic-settings sees them.
	Order []string

	env []string
	// vars are the environment's variables by folded name, as envVar
	// finds them (made once: every setting looks them up).
	vars map[string]envName
}

// envName is an environment variable: its name as given, and its value.
type envName struct{ name, value string }

// Read reads content as FlowMeter would with the process environment env
// (in os.Environ form). content must be valid UTF-8; Load checks that.
func Read(content []byte, env []string) *Reading {
	r := &Reading{Bytes: content, env: env, Statements: parseStatements(content)}
	r.resolve()
	r.vars = foldEnv(env)
	return r
}

// resolve applies python-dotenv's interpolation and pydantic-settings' case
// folding.
func (r *Reading) resolve() {
	type entry struct {
		value     string
		set       bool
		statement int
	}
	// python-dotenv's dict: exact keys, first occurrence keeps its place,
	// the last value wins.
	exact := map[string]*entry{}
	var order []string
	envLookup := environment(r.env)
	look := func(name string) (string, bool, bool) {
		if e, ok := exact[name]; ok {
			return e.value, e.set, true
		}
		v, ok := envLookup[name]
		return v, true, ok
	}
	for i, st := range r.Statements {
		if st.Invalid {
			continue
		}
		e := &entry{statement: i, set: st.HasValue}
		if st.HasValue {
			e.value = interpolate(st.Raw, look)
		}
		if _, seen := exact[st.Key]; !seen {
			order = append(order, st.Key)
		}
		exact[st.Key] = e
	}
	// pydantic-settings: {k.lower(): v for k, v in values.items()}.
	r.Values = make(map[string]Value, len(order))
	for _, k := range order {
		e := exact[k]
		fk := foldKey(k)
		if _, seen := r.Values[fk]; !seen {
			r.Order = append(r.Order, fk)
		}
		r.Values[fk] = Value{Set: e.set, Value: e.value, Statement: e.statement}
	}
}

// environment turns os.Environ form into a map; the first of duplicate names
// wins, as it does for Python's os.environ.
func environment(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// foldKey folds a key as pydantic-settings does with str.lower(). Go's
// lower-casing agrees with Python's for every key that folds to a setting
// FlowMeter knows.
func foldKey(k string) string { return strings.ToLower(k) }

// Setting returns what FlowMeter would use for key at its next start: the
// process environment beats the file, the file beats the default.
func (r *Reading) Setting(key, def string) Setting {
	s := r.fileSetting(key, def)
	if name, v, ok := r.envVar(key); ok {
		s.Value, s.Source, s.EnvName, s.Statement = v, SourceEnvironment, name, -1
	}
	return s
}

// fileSetting is what FlowMeter would use for key with no environment
// variable for it: the file's value, else def.
func (r *Reading) fileSetting(key, def string) Setting {
	fk := foldKey(key)
	s := Setting{Key: fk, Value: def, Source: SourceDefault, Statement: -1}
	if v, ok := r.Values[fk]; ok {
		s.Statement = v.Statement
		if v.Set {
			s.Value, s.Source = v.Value, SourceFile
		}
	}
	return s
}

// envVar returns the environment variable FlowMeter reads for key, its
// value, and whether there is one. pydantic-settings folds the environment's
// names too; a later spelling in the environment overrides an earlier one.
func (r *Reading) envVar(key string) (name, value string, ok bool) {
	v, ok := r.vars[foldKey(key)]
	return v.name, v.value, ok
}

// foldEnv indexes env by folded name. Of duplicate names the first counts
// (os.environ keeps it); of names that fold alike, the last one
// (pydantic-settings' dictionary keeps it).
func foldEnv(env []string) map[string]envName {
	vars := make(map[string]envName, len(env))
	seen := make(map[string]bool, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if seen[k] {
			continue
		}
		seen[k] = true
		vars[foldKey(k)] = envName{k, v}
	}
	return vars
}

// Host is the HOST FlowMeter would bind at its next start.
func (r *Reading) Host() Setting { return r.Setting("HOST", DefaultHost) }

// Port is the PORT FlowMeter would listen on at its next start, and whether
// it is a port FlowMeter can start on (see ParsePort).
func (r *Reading) Port() (Setting, int, bool) {
	s := r.Setting("PORT", strconv.Itoa(DefaultPort))
	p, ok := ParsePort(s.Value)
	return s, p, ok
}

// ParsePort reads a PORT value as FlowMeter does: pydantic 2's lax int
// (surrounding whitespace, a sign, leading zeros, single underscores between
// digits and a ".0" tail are accepted, so "8000.0" and " 8_000 " are 8000;
// "0x1F40", "1e3", "8000.5" and non-ASCII digits are not), then the
// socket's range, 0..65535. ok is false when FlowMeter would not start.
func ParsePort(s string) (int, bool) {
	n, ok := parseWholeNumber(s)
	if !ok {
		return 0, false
	}
	return n.port()
}

// LineOf returns the 1-based line of the statement with index i, or 0.
func (r *Reading) LineOf(i int) int {
	if i < 0 || i >= len(r.Statements) {
		return 0
	}
	return r.Statements[i].Line
}
