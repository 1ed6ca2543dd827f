package envfix

import (
	"bytes"
	"fmt"
	"strings"
)

// LocalHost is the HOST value a fix writes.
const LocalHost = "127.0.0.1"

// Edit replaces the bytes in Span of the original file by Text.
type Edit struct {
	Span Span
	Text string
}

func (e Edit) apply(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(e.Text))
	out = append(out, b[:e.Span.Start]...)
	out = append(out, e.Text...)
	return append(out, b[e.Span.End:]...)
}

// Plan is a change to a .env file, worked out and verified but not written.
// It is a value: the window shows its Diff before anything happens.
type Plan struct {
	File *File
	// Key and Value are the setting the plan makes FlowMeter read.
	Key, Value string
	// Edit is the one change; empty (and After equal to Before) when the
	// file already says what it should.
	Edit Edit
	// Before and After are the whole file before and after the change.
	Before, After []byte
	// Line is the 1-based line the change is on, in the new file.
	Line int
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return bytes.Equal(p.Before, p.After) && p.File.Exists }

// PlanLocalOnly plans the smallest change after which FlowMeter reads
// HOST=127.0.0.1 from the file and every other key exactly as today. A file
// whose HOST is already loopback needs no change. It does not look at the
// environment: whether a HOST variable overrides the file is for the caller
// to say (see Reading.Host).
func PlanLocalOnly(f *File) (*Plan, error) {
	if v, ok := f.Reading.Values["host"]; ok && v.Set && ClassifyHost(v.Value).Local() {
		return &Plan{File: f, Key: "HOST", Value: v.Value, Before: f.Reading.Bytes, After: f.Reading.Bytes, Line: f.Reading.LineOf(v.Statement)}, nil
	}
	return PlanSet(f, "HOST", LocalHost)
}

// PlanSet plans the smallest change after which FlowMeter reads value for
// key (matched case-insensitively, as FlowMeter matches it) and every other
// key exactly as today. It prefers changing the deciding line in place,
// keeping its quoting, export prefix, comment and line ending; otherwise it
// adds one line at the end. Each candidate is read back with the same engine
// and kept only if it passes; when none does, nothing is planned.
func PlanSet(f *File, key, value string) (*Plan, error) {
	r := f.Reading
	fk := foldKey(key)
	p := &Plan{File: f, Key: key, Value: value, Before: r.Bytes}
	if v, ok := r.Values[fk]; ok && v.Set && v.Value == value {
		p.After, p.Line = r.Bytes, r.LineOf(v.Statement)
		return p, nil
	}
	for _, e := range candidateEdits(r, fk, key, value) {
		after := e.apply(r.Bytes)
		check := Read(after, r.env)
		if keepsOthers(r, check, fk, value) {
			if len(after) > MaxFileSize {
				return nil, errGrowsTooLarge(f.Path)
			}
			p.Edit, p.After = e, after
			p.Line = 1 + countNewlines(after[:e.Span.Start+leadingNewlineLen(e.Text)])
			return p, nil
		}
	}
	return nil, fmt.Errorf("%s cannot be changed to %s=%s without changing how FlowMeter reads other lines: edit it by hand: %w", f.Path, key, value, ErrNoSafeEdit)
}

// candidateEdits lists the edits worth trying, the smallest first.
func candidateEdits(r *Reading, fk, key, value string) []Edit {
	var edits []Edit
	spelling := key
	if v, ok := r.Values[fk]; ok {
		st := r.Statements[v.Statement]
		spelling = string(r.Bytes[st.KeySpan.Start:st.KeySpan.End])
		if st.HasValue {
			edits = append(edits, Edit{Span: st.ValueSpan, Text: quote(value, st.Quote)})
		} else {
			edits = append(edits, Edit{Span: Span{st.KeySpan.End, st.KeySpan.End}, Text: "=" + quote(value, 0)})
		}
	}
	// Appending a line after everything else changes no other value: only
	// later lines can refer to it, and there are none.
	nl := lineEnding(r.Bytes)
	text := spelling + "=" + quote(value, 0) + nl
	if n := len(r.Bytes); n > 0 && !isNewline(r.Bytes[n-1]) {
		text = nl + text
	}
	end := len(r.Bytes)
	return append(edits, Edit{Span: Span{end, end}, Text: text})
}

// keepsOthers reports whether after reads value for fk and every other key
// exactly as before reads it.
func keepsOthers(before, after *Reading, fk, value string) bool {
	if v, ok := after.Values[fk]; !ok || !v.Set || v.Value != value {
		return false
	}
	others := func(r *Reading) int {
		n := len(r.Values)
		if _, ok := r.Values[fk]; ok {
			n--
		}
		return n
	}
	if others(before) != others(after) {
		return false
	}
	for k, v := range before.Values {
		if k == fk {
			continue
		}
		w, ok := after.Values[k]
		if !ok || w.Set != v.Set || w.Value != v.Value {
			return false
		}
	}
	return true
}

// quote writes value in the given quoting style so that python-dotenv reads
// it back unchanged; an unquoted value that would not survive is double
// quoted instead.
func quote(value string, q byte) string {
	switch q {
	case '\'':
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(value) + "'"
	case '"':
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value) + `"`
	}
	if value == "" || bareSafe(value) {
		return value
	}
	return quote(value, '"')
}

// bareSafe reports whether value reads back unchanged without quotes.
func bareSafe(v string) bool {
	if v[0] == '\'' || v[0] == '"' || strings.ContainsAny(v, "\r\n") {
		return false
	}
	if isSpace([]rune(v)[0]) || strings.TrimRightFunc(v, isSpace) != v {
		return false
	}
	return commentStart([]byte(v)) == len(v)
}

// lineEnding is the file's first line ending, so an added line matches.
func lineEnding(b []byte) string {
	i := bytes.IndexAny(b, "\r\n")
	switch {
	case i < 0 || b[i] == '\n':
		return "\n"
	case i+1 < len(b) && b[i+1] == '\n':
		return "\r\n"
	}
	return "\r"
}

func leadingNewlineLen(s string) int {
	switch {
	case strings.HasPrefix(s, "\r\n"):
		return 2
	case strings.HasPrefix(s, "\n"), strings.HasPrefix(s, "\r"):
		return 1
	}
	return 0
}
