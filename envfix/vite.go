package envfix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
)

// Fixing the Vite dev server at its source: a --host in a package.json
// script that starts Vite, or a server.host in the Vite config, is removed
// when it is a plain literal, keeping every other byte; written through
// Apply, with its backup and undo, as the .env is. A --host typed by hand
// on the command line is not in any file: the caller says the exact
// command instead.

// ErrNoViteFix means the file has no --host or server.host Localguard can
// remove.
var ErrNoViteFix = errors.New("nothing in the file makes Vite listen beyond this computer")

// loadSource reads a file a fix may change (the same checks as a .env:
// a regular UTF-8 file under 1 MiB, links followed).
func loadSource(path string) (*File, []byte, error) {
	f := &File{Path: path, Target: path}
	if abs, err := filepath.Abs(path); err == nil {
		f.Target = abs
	}
	content, err := f.read()
	if err != nil {
		return nil, nil, err
	}
	if !f.Exists {
		return nil, nil, fmt.Errorf("%s does not exist", path)
	}
	return f, content, nil
}

// PlanPackageScripts plans removing --host (and its value) from every
// script of the package.json at path that starts Vite ("vite --host",
// "vite dev --host 0.0.0.0"), or passes --host on to a script that does
// ("npm run dev -- --host"). Only the bytes of the flag and its value
// change inside the script's string: every other byte, escapes included
// (\u0076ite, \u0026\u0026), stays. The result must read as the same JSON
// with only those scripts changed.
func PlanPackageScripts(path string) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	spans, err := scriptSpans(content)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%v): correct it by hand", path, err)
	}
	scripts := map[string]string{}
	for name, sp := range spans {
		var v string
		if json.Unmarshal(content[sp.Start:sp.End], &v) == nil {
			scripts[name] = v
		}
	}
	var edits []composeEdit
	want := map[string]string{}
	for name, sp := range spans {
		raw := content[sp.Start:sp.End]
		decoded, at, err := decodeJSONString(raw)
		if err != nil {
			continue
		}
		cut := hostFlagSpans(decoded, scripts)
		if len(cut) == 0 {
			continue
		}
		var nv strings.Builder
		prev := 0
		for _, c := range cut {
			nv.WriteString(decoded[prev:c.Start])
			prev = c.End
			// The bytes that wrote decoded[c.Start:c.End] in the file.
			edits = append(edits, composeEdit{Edit: Edit{Span: Span{sp.Start + at[c.Start], sp.Start + at[c.End]}, Text: ""}})
		}
		nv.WriteString(decoded[prev:])
		want[name] = nv.String()
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("no script in %s starts Vite with --host: %w", path, ErrNoViteFix)
	}
	sortEdits(edits)
	after := applyEdits(content, edits)
	var before, got map[string]any
	json.Unmarshal(content, &before)
	if err := json.Unmarshal(after, &got); err != nil {
		return nil, fmt.Errorf("%s cannot be changed safely (%v): edit it by hand: %w", path, err, ErrNoSafeEdit)
	}
	bs, _ := before["scripts"].(map[string]any)
	for k, v := range want {
		bs[k] = v
	}
	if !reflect.DeepEqual(before, got) {
		return nil, fmt.Errorf("%s cannot be changed without changing more than its scripts: edit it by hand: %w", path, ErrNoSafeEdit)
	}
	return planOf(f, content, after, edits, "scripts", "no --host"), nil
}

// decodeJSONString decodes a JSON string literal (quotes included) and
// says, for each byte of the decoded string and one past its end, the
// offset in raw of the text that wrote it (an escape gives all its bytes
// the escape's offset).
func decodeJSONString(raw []byte) (string, []int, error) {
	var whole string
	if err := json.Unmarshal(raw, &whole); err != nil {
		return "", nil, err
	}
	var out []byte
	var at []int
	for i := 1; i < len(raw)-1; {
		start := i
		n := 1
		if raw[i] == '\\' {
			n = 2
			if raw[i+1] == 'u' {
				n = 6
				// A surrogate pair is one character: both escapes.
				if i+12 <= len(raw)-1 && raw[i+6] == '\\' && raw[i+7] == 'u' && isHighSurrogate(raw[i+2:i+6]) {
					n = 12
				}
			}
		}
		var piece string
		if err := json.Unmarshal([]byte(`"`+string(raw[i:i+n])+`"`), &piece); err != nil {
			return "", nil, err
		}
		for range len(piece) {
			at = append(at, start)
		}
		out = append(out, piece...)
		i += n
	}
	at = append(at, len(raw)-1)
	if string(out) != whole {
		return "", nil, fmt.Errorf("the string does not decode piece by piece")
	}
	return string(out), at, nil
}

func isHighSurrogate(hex []byte) bool {
	h := strings.ToLower(string(hex))
	return len(h) == 4 && h[0] == 'd' && h[1] >= '8' && h[1] <= 'b'
}

// hostFlagSpans finds, in a script's decoded text, the --host flags (with
// their value and the blank before them) given to Vite: in a command that
// runs Vite, or after the -- of a command that runs another script that
// does (npm run dev -- --host). scripts are the package's scripts, to
// follow.
func hostFlagSpans(script string, scripts map[string]string) []Span {
	var out []Span
	for _, cmd := range shellCommands(script) {
		words := shellWords(script, cmd)
		from, ok := viteArgsFrom(script, words, scripts, 0)
		if !ok {
			continue
		}
		var cut []Span
		kept := 0
		for i := from; i < len(words); i++ {
			w := script[words[i].Start:words[i].End]
			if w != "--host" && !strings.HasPrefix(w, "--host=") {
				kept++
				continue
			}
			flag := words[i]
			end := flag.End
			if w == "--host" && i+1 < len(words) && !strings.HasPrefix(script[words[i+1].Start:words[i+1].End], "-") {
				i++
				end = words[i].End
			}
			cut = append(cut, Span{blankBefore(script, flag.Start), end})
		}
		// A -- left with nothing after it goes too.
		if len(cut) > 0 && kept == 0 && from > 0 && script[words[from-1].Start:words[from-1].End] == "--" {
			d := words[from-1]
			cut = append([]Span{{blankBefore(script, d.Start), d.End}}, cut...)
		}
		out = append(out, cut...)
	}
	return out
}

// blankBefore moves start back over the blanks before it.
func blankBefore(s string, start int) int {
	for start > 0 && (s[start-1] == ' ' || s[start-1] == '\t') {
		start--
	}
	return start
}

// shellCommands splits a script into its commands at &&, ||, ;, |, &
// and newlines (outside quotes).
func shellCommands(s string) []Span {
	var out []Span
	start := 0
	var q shellQuoting
	for i := 0; i < len(s); i++ {
		if q.step(s, &i) {
			continue
		}
		if c := s[i]; c == '&' || c == '|' || c == ';' || c == '\n' {
			out = append(out, Span{start, i})
			for i+1 < len(s) && (s[i+1] == '&' || s[i+1] == '|') {
				i++
			}
			start = i + 1
		}
	}
	return append(out, Span{start, len(s)})
}

// shellQuoting follows a POSIX shell's quotes through a script.
type shellQuoting struct{ quote byte }

// step takes the byte at *i (and the one after a backslash): true when it
// is quoted, or a quote or an escape itself, so no operator or blank.
func (q *shellQuoting) step(s string, i *int) bool {
	c := s[*i]
	switch {
	case q.quote != 0:
		if c == q.quote {
			q.quote = 0
		} else if c == '\\' && q.quote == '"' {
			*i++
		}
		return true
	case c == '\'' || c == '"':
		q.quote = c
		return true
	case c == '\\':
		*i++
		return true
	}
	return false
}

// shellWords splits one command into its words (quotes kept inside a
// word), as spans of s.
func shellWords(s string, cmd Span) []Span {
	var out []Span
	i := cmd.Start
	for i < cmd.End {
		for i < cmd.End && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= cmd.End {
			break
		}
		start := i
		var q shellQuoting
		for ; i < cmd.End; i++ {
			if !q.step(s, &i) && (s[i] == ' ' || s[i] == '\t') {
				break
			}
		}
		out = append(out, Span{start, min(i, cmd.End)})
	}
	return out
}

// viteArgsFrom is the index of the first word of a command that Vite gets
// as its arguments: after vite itself, or after the -- of npm run X (and
// its kin) where the script X runs Vite; false when the command passes
// nothing to Vite.
func viteArgsFrom(s string, words []Span, scripts map[string]string, depth int) (int, bool) {
	for i, w := range words {
		word := s[w.Start:w.End]
		if isViteWord(word) {
			return i + 1, true
		}
		if !isScriptRunner(word) || depth > 8 {
			continue
		}
		// npm run X [args] -- FLAGS; pnpm [run] X; yarn [run] X
		j := i + 1
		if j < len(words) && (s[words[j].Start:words[j].End] == "run" || s[words[j].Start:words[j].End] == "run-script") {
			j++
		}
		if j >= len(words) {
			return 0, false
		}
		target, ok := scripts[s[words[j].Start:words[j].End]]
		if !ok || !runsVite(target, scripts, depth+1) {
			return 0, false
		}
		for k := j + 1; k < len(words); k++ {
			if s[words[k].Start:words[k].End] == "--" {
				return k + 1, true
			}
		}
		if word != "npm" { // pnpm and yarn pass on what follows without --
			return j + 1, true
		}
		return 0, false
	}
	return 0, false
}

// runsVite reports whether a script runs Vite, itself or through another
// script.
func runsVite(script string, scripts map[string]string, depth int) bool {
	for _, cmd := range shellCommands(script) {
		words := shellWords(script, cmd)
		for i, w := range words {
			word := script[w.Start:w.End]
			if isViteWord(word) {
				return true
			}
			if isScriptRunner(word) && depth <= 8 {
				j := i + 1
				if j < len(words) && (script[words[j].Start:words[j].End] == "run" || script[words[j].Start:words[j].End] == "run-script") {
					j++
				}
				if j < len(words) {
					if t, ok := scripts[script[words[j].Start:words[j].End]]; ok && runsVite(t, scripts, depth+1) {
						return true
					}
				}
			}
		}
	}
	return false
}

func isScriptRunner(w string) bool { return w == "npm" || w == "pnpm" || w == "yarn" }

func isViteWord(w string) bool {
	return w == "vite" || strings.HasSuffix(w, "/vite") || strings.HasSuffix(w, "/vite.js")
}

// scriptSpans finds the byte span of each script's string in a
// package.json's top-level "scripts" object.
func scriptSpans(b []byte) (map[string]Span, error) {
	sc := scriptScan{b: b, dec: json.NewDecoder(bytes.NewReader(b)), out: map[string]Span{}}
	for {
		tok, err := sc.dec.Token()
		if errors.Is(err, io.EOF) {
			return sc.out, nil
		}
		if err != nil {
			return nil, err
		}
		sc.token(tok)
	}
}

// scriptScan is scriptSpans' walk through a package.json's tokens.
type scriptScan struct {
	b     []byte
	dec   *json.Decoder
	stack []jsonFrame
	out   map[string]Span
}

// jsonFrame is an object or array the walk is inside; for an object, the
// key last read and whether a key comes next.
type jsonFrame struct {
	obj, wantKey bool
	key          string
}

// top is the innermost object or array, nil at the top level.
func (sc *scriptScan) top() *jsonFrame {
	if len(sc.stack) == 0 {
		return nil
	}
	return &sc.stack[len(sc.stack)-1]
}

// token takes the next token: a delimiter opens or closes a frame, an
// object's key is noted, a string value inside "scripts" is located.
func (sc *scriptScan) token(tok json.Token) {
	top := sc.top()
	switch t := tok.(type) {
	case json.Delim:
		sc.delim(t)
		return
	case string:
		if top != nil && top.obj && top.wantKey {
			top.key, top.wantKey = t, false
			return
		}
		if len(sc.stack) == 2 && sc.stack[0].obj && sc.stack[0].key == "scripts" && top.obj {
			sc.locate(top.key, t)
		}
	}
	if top != nil && top.obj {
		top.wantKey = true
	}
}

// delim opens a frame at { or [ and closes one at } or ]; the object
// that holds what closed wants its next key.
func (sc *scriptScan) delim(t json.Delim) {
	switch t {
	case '{', '[':
		sc.stack = append(sc.stack, jsonFrame{obj: t == '{', wantKey: t == '{'})
	default:
		sc.stack = sc.stack[:len(sc.stack)-1]
		if top := sc.top(); top != nil && top.obj {
			top.wantKey = true
		}
	}
}

// locate notes the span of the script key's string value v. The decoder
// is just past the string: find where it starts (an escaped quote inside
// is not the start).
func (sc *scriptScan) locate(key, v string) {
	end := int(sc.dec.InputOffset())
	s := end - 1
	for {
		if s = bytes.LastIndexByte(sc.b[:s], '"'); s < 0 {
			return
		}
		var got string
		if json.Unmarshal(sc.b[s:end], &got) == nil && got == v {
			sc.out[key] = Span{s, end}
			return
		}
	}
}

// sortEdits sorts edits by position.
func sortEdits(edits []composeEdit) {
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].Span.Start < edits[j-1].Span.Start; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
}

// planOf is the Plan of edits, with one Edit spanning them.
func planOf(f *File, before, after []byte, edits []composeEdit, key, value string) *Plan {
	first, last := edits[0], edits[len(edits)-1]
	tail := len(before) - last.Span.End
	return &Plan{File: f, Key: key, Value: value, Before: before, After: after,
		Edit: Edit{Span: Span{first.Span.Start, last.Span.End}, Text: string(after[first.Span.Start : len(after)-tail])},
		Line: 1 + bytes.Count(after[:first.Span.Start], []byte("\n"))}
}

// ErrViteHostUndecided means server.host cannot be decided from the file
// alone (an environment variable whose value is not known, an expression
// Localguard cannot follow): the error says the change to make by hand.
var ErrViteHostUndecided = errors.New("server.host cannot be decided from the config alone")

// PlanViteConfig plans the fix of server.host in the Vite config at path,
// judged as Vite would read it with no environment known (PlanViteConfigIn).
func PlanViteConfig(path string) (*Plan, error) { return PlanViteConfigIn(path, nil, false) }

// PlanViteConfigIn plans the fix of server.host in the Vite config at
// path, as Vite started with the environment environ (envKnown: that
// environment is known) reads it. A literal that listens beyond loopback,
// written as server.host's own value, becomes 'localhost', changing only
// its bytes. It returns ErrNoViteFix when Vite would listen on loopback
// only, and refuses, with the exact change to make by hand (wrapping
// ErrViteHostUndecided or ErrNoSafeEdit), anything else: a value through a
// variable, from the environment, an expression, a file that does not
// parse.
func PlanViteConfigIn(path string, environ []string, envKnown bool) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	h, err := ReadViteHost(path, content)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read as Vite reads it (%v): check server.host in it by hand (unset, or 'localhost'): %w", path, err, ErrViteHostUndecided)
	}
	beyond, known := h.Decide(environ, envKnown)
	switch {
	case !known:
		return nil, fmt.Errorf("%s: %s: %w", path, undecidedWords(h), ErrViteHostUndecided)
	case !beyond:
		return nil, fmt.Errorf("%s keeps Vite on this computer (%s): %w", path, h.Words(), ErrNoViteFix)
	case h.Kind == ViteHostEnv:
		return nil, fmt.Errorf("%s: server.host comes from the environment variable %s (line %d: %s), which makes Vite listen beyond this computer: unset %s where Vite is started, or change server.host to 'localhost' by hand: %w", path, h.Var, h.Line, h.Text, h.Var, ErrNoSafeEdit)
	case h.Kind != ViteHostLiteral || !h.Direct || h.span.End <= h.span.Start:
		return nil, fmt.Errorf("%s: server.host makes Vite listen beyond this computer, through %s: change server.host to 'localhost' by hand: %w", path, h.Words(), ErrNoSafeEdit)
	}
	quote := "'"
	if content[h.span.Start] == '"' {
		quote = `"`
	}
	edits := []composeEdit{{Edit: Edit{Span: h.span, Text: quote + "localhost" + quote}}}
	after := applyEdits(content, edits)
	again, err := ReadViteHost(path, after)
	if err != nil || again.Kind != ViteHostLiteral || viteLiteralBeyond(again.Value) {
		return nil, fmt.Errorf("%s cannot be changed safely: change server.host (%s) to 'localhost' by hand: %w", path, h.Words(), ErrNoSafeEdit)
	}
	return planOf(f, content, after, edits, "server.host", "'localhost'"), nil
}

// undecidedWords says why server.host cannot be decided, and the change
// to make.
func undecidedWords(h *ViteHost) string {
	at := ""
	if h.Line > 0 {
		at = fmt.Sprintf(" (line %d: %s)", h.Line, h.Text)
	}
	if h.Kind == ViteHostEnv {
		return fmt.Sprintf("server.host comes from the environment variable %s%s, and Localguard does not know the environment Vite starts with, so it cannot tell where Vite listens: change server.host to 'localhost' by hand, or make sure %s is unset or 'localhost' wherever Vite is started", h.Var, at, h.Var)
	}
	return fmt.Sprintf("%s%s, so Localguard cannot tell where Vite listens: change server.host to 'localhost' by hand", h.Why, at)
}

// PlanUnchanged is the empty plan of a source file that needs no change.
func PlanUnchanged(path string) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	return &Plan{File: f, Key: "source", Before: content, After: content}, nil
}
