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

// serverHostRE finds `host: <literal>` (true, a quoted string) as a
// property of Vite's config.
var serverHostRE = regexp.MustCompile(`(?m)^([ \t]*)host\s*:\s*(true|'[^'\n]*'|"[^"\n]*")\s*,?[ \t]*(//[^\n]*)?\r?\n`)

// PlanViteConfig plans removing server.host from the Vite config at path
// when it is a plain literal on a line of its own inside the server block
// (host: true, host: '0.0.0.0'). Anything else (a variable, an expression,
// a host on one line with other properties) is left to the person.
func PlanViteConfig(path string) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	block, ok := serverBlock(content)
	if !ok {
		return nil, fmt.Errorf("%s has no server block: %w", path, ErrNoViteFix)
	}
	var edits []composeEdit
	for _, m := range serverHostRE.FindAllSubmatchIndex(content[block.Start:block.End], -1) {
		s, e := block.Start+m[0], block.Start+m[1]
		if depthAt(content[block.Start:s]) != 1 {
			continue // a host of a nested object (proxy, hmr): not the server's
		}
		lit := string(content[block.Start+m[4] : block.Start+m[5]])
		if isLoopbackIP(strings.Trim(lit, `'"`)) {
			continue
		}
		edits = append(edits, composeEdit{Edit: Edit{Span: Span{s, e}, Text: ""}})
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("%s sets no server.host Localguard can remove (only a plain host: true or host: '<address>' on its own line): %w", path, ErrNoViteFix)
	}
	after := applyEdits(content, edits)
	if nb, ok := serverBlock(after); !ok || depthAt(after[nb.Start:nb.End]) != 0 {
		return nil, fmt.Errorf("%s cannot be changed safely: edit it by hand: %w", path, ErrNoSafeEdit)
	}
	return planOf(f, content, after, edits, "server.host", "(removed)"), nil
}

// serverBlock finds the `server: { ... }` object of a Vite config, braces
// included.
func serverBlock(b []byte) (Span, bool) {
	loc := regexp.MustCompile(`(?m)(^|[\s,{])server\s*:\s*\{`).FindIndex(b)
	if loc == nil {
		return Span{}, false
	}
	open := loc[1] - 1
	depth := 0
	for i := open; i < len(b); i++ {
		switch b[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return Span{open, i + 1}, true
			}
		case '\'', '"', '`':
			q := b[i]
			for i++; i < len(b) && b[i] != q; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return Span{}, false
}

// depthAt is the brace depth at the end of b (strings skipped).
func depthAt(b []byte) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '\'', '"', '`':
			q := b[i]
			for i++; i < len(b) && b[i] != q; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return depth
}

// PlanUnchanged is the empty plan of a source file that needs no change.
func PlanUnchanged(path string) (*Plan, error) {
	f, content, err := loadSource(path)
	if err != nil {
		return nil, err
	}
	return &Plan{File: f, Key: "source", Before: content, After: content}, nil
}
