package envfix

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fieldKind is the type FlowMeter's Settings declares for a setting.
type fieldKind int

const (
	kindInt fieldKind = iota
	kindBool
	kindStrList
)

// checkedField is one setting of FlowMeter's Settings class
// (backend/app/core/config.py) whose type pydantic can refuse a string for;
// its str fields (APP_NAME, APP_VERSION, HOST, UPLOAD_DIR) take any value.
type checkedField struct {
	key  string
	kind fieldKind
	// example is a value FlowMeter accepts: its default.
	example string
	// safe is the value a fix may write when FlowMeter refuses the
	// setting; empty when no value is clearly right.
	safe string
}

// checkedFields are in config.py's order.
var checkedFields = []checkedField{
	// DEBUG and ALLOW_UNSAFE_FORMULAS: false is FlowMeter's default and the
	// safe value, the value the warnings' fixes write too, so a refused
	// value may be fixed to it.
	{key: "DEBUG", kind: kindBool, example: "false", safe: "false"},
	// No number is clearly the one meant by "80a0", nor any list by an
	// unreadable one: those are corrected by hand.
	{key: "PORT", kind: kindInt, example: strconv.Itoa(DefaultPort)},
	{key: "CORS_ORIGINS", kind: kindStrList, example: localOrigins},
	{key: "MAX_FILE_SIZE_MB", kind: kindInt, example: "50"},
	{key: "ALLOWED_EXTENSIONS", kind: kindStrList, example: `[".xlsx",".xls",".csv",".parquet",".pqt"]`},
	{key: "MAX_DATASETS_PER_SESSION", kind: kindInt, example: "10"},
	{key: "ALLOW_UNSAFE_FORMULAS", kind: kindBool, example: "false", safe: "false"},
}

// Problems, in the person's words.
const (
	notWholeNumber = "which FlowMeter cannot read as a whole number"
	notBool        = "which FlowMeter cannot read as true or false"
	notList        = "which FlowMeter cannot read as a JSON list of strings"
	notPort        = "which is not a port number (0 to 65535)"
)

// startErrors returns a SeverityError risk for every value that would stop
// FlowMeter at its start, in config.py's order.
func (r *Reading) startErrors(path string) []Risk {
	var risks []Risk
	for _, f := range checkedFields {
		if f.kind == kindStrList {
			for _, ref := range r.checkList(f.key).refused {
				risks = append(risks, r.riskOf(ref, f, path))
			}
			continue
		}
		// int and bool fields: pydantic validates only the value that
		// wins, after the sources are merged.
		s := r.Setting(f.key, f.example)
		if s.Source == SourceDefault {
			continue
		}
		ref := refusal{setting: s}
		switch f.kind {
		case kindBool:
			if _, ok := parseBool(s.Value); !ok {
				ref.problem = notBool
			}
		case kindInt:
			n, ok := parseWholeNumber(s.Value)
			switch {
			case !ok:
				ref.problem = notWholeNumber
			case f.key == "PORT":
				if _, ok := n.port(); !ok {
					// pydantic takes any int; the bind refuses it, for
					// the starts that bind PORT (FLOWMETER.md's table).
					ref.problem = notPort
					ref.starts = " with python -m app.main, run.py or the released app"
				}
			}
		}
		if ref.problem != "" {
			risks = append(risks, r.riskOf(ref, f, path))
		}
	}
	return risks
}

// listCheck is how FlowMeter reads a list[str] setting.
type listCheck struct {
	// used is the value FlowMeter uses, SourceDefault when none of the
	// sources gives a usable list.
	used   Setting
	values []string
	// refused are the values that stop FlowMeter.
	refused []refusal
}

// checkList reads a list[str] setting as pydantic-settings does: the
// environment source and the .env source each json.loads their own value
// (decode_complex_value), so a value that is not JSON stops FlowMeter even
// when the environment overrides it; JSON null is dropped and the next
// source applies; the value that wins the merge must be a list of strings.
func (r *Reading) checkList(key string) listCheck {
	c := listCheck{used: Setting{Key: foldKey(key), Source: SourceDefault, Statement: -1}}
	var winner *Setting
	var winnerProblem listProblem
	var winnerValues []string
	name, ev, inEnv := r.envVar(key)
	envUndecided := false
	if inEnv {
		s := Setting{Key: foldKey(key), Value: ev, Source: SourceEnvironment, EnvName: name, Statement: -1}
		vals, p := parseStrList(ev)
		switch p {
		case listNotJSON:
			c.refused = append(c.refused, refusal{setting: s, problem: notList})
			envUndecided = true
		case listNull:
		default:
			winner, winnerProblem, winnerValues = &s, p, vals
		}
	}
	if f := r.fileSetting(key, ""); f.Source == SourceFile {
		vals, p := parseStrList(f.Value)
		switch {
		case p == listNotJSON:
			ref := refusal{setting: f, problem: notList}
			if winner != nil {
				ref.note = "; FlowMeter reads it even though the environment variable " + name + " overrides it"
			}
			c.refused = append(c.refused, ref)
		case p != listNull && winner == nil && !envUndecided:
			winner, winnerProblem, winnerValues = &f, p, vals
		}
	}
	if winner == nil {
		return c
	}
	if winnerProblem == listNotStrings {
		c.refused = append(c.refused, refusal{setting: *winner, problem: notList})
		return c
	}
	c.used, c.values = *winner, winnerValues
	return c
}

// refusal is one value FlowMeter would refuse.
type refusal struct {
	setting Setting
	problem string
	// starts narrows which starts fail, when not all of them do.
	starts string
	// note adds a clause to the first sentence.
	note string
}

// riskOf words the refusal of field f as a finding; path names the file.
func (r *Reading) riskOf(ref refusal, f checkedField, path string) Risk {
	s := ref.setting
	var where, correct string
	if s.Source == SourceEnvironment {
		where = "the environment variable " + s.EnvName + " is " + shownValue(s.Value, "empty")
		correct = "Correct or unset it where FlowMeter is started"
	} else {
		file := "the .env file"
		if path != "" {
			file = path
		}
		where = file + " sets " + f.key
		if line := r.LineOf(s.Statement); line > 0 {
			where = "line " + strconv.Itoa(line) + " of " + where
		}
		if s.Value == "" {
			where += " to an empty value"
		} else {
			where += "=" + shownValue(s.Value, "")
		}
		correct = "Correct it"
	}
	example := f.example
	if f.kind == kindStrList {
		example = listExample(f.key, s.Value, f.example)
	}
	safe := f.safe
	if ref.problem == notPort {
		safe = ""
	}
	return Risk{
		Key: f.key, Severity: SeverityError, Setting: s, SafeValue: safe,
		Message: "FlowMeter will not start" + ref.starts + ": " + where + ", " + ref.problem + ref.note + ". " +
			correct + " (for example " + f.key + "=" + example + ").",
	}
}

// maxShown is how many characters of a refused value a message shows.
const maxShown = 60

// shownValue shows v in a message: as it is when it reads plainly, quoted
// (Go syntax, so spaces and control characters show) when not, cut after
// maxShown characters; empty is shown as the word given.
func shownValue(v, empty string) string {
	if v == "" && empty != "" {
		return empty
	}
	cut := v
	if utf8.RuneCountInString(v) > maxShown {
		n := 0
		for i := range v {
			if n == maxShown {
				cut = v[:i] + "…"
				break
			}
			n++
		}
	}
	// A comma or a space would run into the message's own words.
	plain := v != "" && !strings.ContainsAny(v, `"\,`)
	for _, c := range v {
		if !unicode.IsPrint(c) || unicode.IsSpace(c) {
			plain = false
		}
	}
	if plain {
		return cut
	}
	return strconv.Quote(cut)
}

// listExample suggests a list value: the person's own comma-separated items
// as a JSON list when each reads plainly as what the setting holds (a local
// origin for CORS_ORIGINS, an extension for ALLOWED_EXTENSIONS), else def.
// A risky origin is never suggested.
func listExample(key, v, def string) string {
	parts := strings.Split(strings.Trim(strings.TrimSpace(v), "[]"), ",")
	items := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.Trim(strings.TrimSpace(p), `'"`)
		ok := p != "" && !strings.ContainsAny(p, " \t\"'\\#,[]") && utf8.ValidString(p)
		switch key {
		case "CORS_ORIGINS":
			ok = ok && localOrigin(p)
		case "ALLOWED_EXTENSIONS":
			ok = ok && len(p) > 1 && p[0] == '.' && !strings.Contains(p[1:], ".")
		}
		if !ok {
			return def
		}
		items = append(items, p)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(items) != nil {
		return def
	}
	return strings.TrimSuffix(b.String(), "\n")
}
