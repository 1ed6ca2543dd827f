package envfix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
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

// hostFlagRE finds Vite's --host and its value, when it has one that is not
// another option: "--host", "--host 0.0.0.0", "--host=0.0.0.0".
var hostFlagRE = regexp.MustCompile(`(^|\s)--host(?:=\S*|\s+[^-\s&|;]\S*)?(\s|$)`)

// PlanPackageScripts plans removing --host from every script of the
// package.json at path that starts Vite ("vite --host", "vite dev --host
// 0.0.0.0"). Each script's string is edited in place; the result must read
// as the same JSON with only those scripts changed.
func PlanPackageScripts(path string) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	spans, err := scriptSpans(content)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%v): correct it by hand", path, err)
	}
	var edits []composeEdit
	want := map[string]string{}
	for name, sp := range spans {
		var v string
		if json.Unmarshal(content[sp.Start:sp.End], &v) != nil || !startsVite(v) || !hostFlagRE.MatchString(v) {
			continue
		}
		nv := strings.TrimSpace(hostFlagRE.ReplaceAllString(v, "$1$2"))
		nv = strings.Join(strings.Fields(nv), " ")
		if strings.ContainsAny(v, "\t\n") {
			continue // not a plain one-line script: left to the person
		}
		enc, _ := json.Marshal(nv)
		edits = append(edits, composeEdit{Edit: Edit{Span: sp, Text: string(enc)}})
		want[name] = nv
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
	scripts, _ := before["scripts"].(map[string]any)
	for k, v := range want {
		scripts[k] = v
	}
	if !reflect.DeepEqual(before, got) {
		return nil, fmt.Errorf("%s cannot be changed without changing more than its scripts: edit it by hand: %w", path, ErrNoSafeEdit)
	}
	return planOf(f, content, after, edits, "scripts", "no --host"), nil
}

// startsVite reports whether a script runs Vite's dev server.
func startsVite(script string) bool {
	for _, w := range strings.Fields(script) {
		if w == "vite" || strings.HasSuffix(w, "/vite") || strings.HasSuffix(w, "/vite.js") {
			return true
		}
	}
	return false
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
