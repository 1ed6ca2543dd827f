package envfix

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Compose as Compose reads a checkout: the files it merges (COMPOSE_FILE
// from the environment or the project's .env, else the first of its
// default names with the override file beside it) and the variables it
// interpolates into them (the environment first, then the project's .env).

// composeNames are the names Compose looks for, in its order; each with
// its override file.
var composeNames = []struct{ file, override string }{
	{"compose.yaml", "compose.override.yaml"},
	{"compose.yml", "compose.override.yml"},
	{"docker-compose.yaml", "docker-compose.override.yaml"},
	{"docker-compose.yml", "docker-compose.override.yml"},
}

// ComposeProject is what Compose reads for a checkout.
type ComposeProject struct {
	// Dir is the project folder (the checkout's root).
	Dir string
	// Files are the compose files Compose merges, in order; nil when
	// there are none.
	Files []string
	// vars are the project .env's variables; env the environment's.
	vars map[string]string
	env  []string
}

// FindComposeProject finds the compose files of the project in dir as
// Compose would when run there with the environment environ.
func FindComposeProject(dir string, environ []string) ComposeProject {
	p := ComposeProject{Dir: dir, vars: composeDotenv(filepath.Join(dir, ".env")), env: environ}
	if list, ok := p.Lookup("COMPOSE_FILE"); ok && list != "" {
		sep, _ := p.Lookup("COMPOSE_PATH_SEPARATOR")
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		for _, f := range strings.Split(list, sep) {
			if f == "" {
				continue
			}
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			p.Files = append(p.Files, f)
		}
		return p
	}
	for _, n := range composeNames {
		f := filepath.Join(dir, n.file)
		if !isRegular(f) {
			continue
		}
		p.Files = append(p.Files, f)
		for _, o := range []string{n.override, strings.TrimSuffix(n.override, filepath.Ext(n.override)) + otherExt(n.override)} {
			if isRegular(filepath.Join(dir, o)) {
				p.Files = append(p.Files, filepath.Join(dir, o))
				break
			}
		}
		break
	}
	return p
}

// otherExt is the other spelling of a YAML extension (an override may be
// .yml beside a .yaml file).
func otherExt(name string) string {
	if strings.HasSuffix(name, ".yaml") {
		return ".yml"
	}
	return ".yaml"
}

func isRegular(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// Lookup is a variable as Compose interpolates it: the environment's,
// else the project .env's.
func (p ComposeProject) Lookup(name string) (string, bool) {
	for i := len(p.env) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(p.env[i], "=")
		if ok && (k == name || runtime.GOOS == "windows" && strings.EqualFold(k, name)) {
			return v, true
		}
	}
	v, ok := p.vars[name]
	return v, ok
}

// composeDotenv reads the variables of a project's .env (nil when none).
func composeDotenv(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	vars := map[string]string{}
	for _, s := range parseStatements(b) {
		if !s.Invalid && s.HasValue {
			vars[s.Key] = s.Raw
		}
	}
	return vars
}

// Interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?message}, ${VAR?message}, ${VAR:+other}, ${VAR+other} and $VAR in
// s as Compose does; $$ is a literal $. It fails on a required variable
// that is unset, or a ${ that is not closed.
func Interpolate(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; {
		case c == '$':
			b.WriteByte('$')
			i++
		case c == '{':
			end := closingBrace(s, i+2)
			if end < 0 {
				return "", fmt.Errorf("%q has a ${ that is not closed", s)
			}
			v, err := expand(s[i+2:end], lookup)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end
		case isNameByte(c, true):
			j := i + 1
			for j < len(s) && isNameByte(s[j], j == i+1) {
				j++
			}
			v, _ := lookup(s[i+1 : j])
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), nil
}

// closingBrace is the index of the } that closes a ${ whose body starts at
// from (nested ${...} in a default skipped); -1 when none.
func closingBrace(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// expand is one ${...} body.
func expand(body string, lookup func(string) (string, bool)) (string, error) {
	n := 0
	for n < len(body) && isNameByte(body[n], n == 0) {
		n++
	}
	name, op := body[:n], body[n:]
	v, set := lookup(name)
	if op == "" {
		return v, nil
	}
	switch op[0] {
	case ':', '-', '?', '+':
		return substitute(name, v, set, op, lookup)
	}
	return "", fmt.Errorf("${%s} is not a substitution Compose knows", body)
}

// substitute applies one ${NAME<op>word}: :- and - give a default, :? and
// ? require the variable, :+ and + give an alternative.
func substitute(name, v string, set bool, op string, lookup func(string) (string, bool)) (string, error) {
	colon := op[0] == ':'
	if colon {
		op = op[1:]
	}
	empty := !set || colon && v == ""
	if op == "" {
		return "", fmt.Errorf("${%s:} is not a substitution Compose knows", name)
	}
	word := op[1:]
	switch op[0] {
	case '-':
		if empty {
			return Interpolate(word, lookup)
		}
		return v, nil
	case '?':
		if empty {
			return "", fmt.Errorf("the variable %s is required (%s) and not set", name, word)
		}
		return v, nil
	case '+':
		if empty {
			return "", nil
		}
		return Interpolate(word, lookup)
	}
	return "", fmt.Errorf("${%s%s} is not a substitution Compose knows", name, op)
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
}
