package envfix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// fuzzEnv is the environment the fuzzer reads files with; it holds names the
// seeds refer to, so interpolation paths are reached.
var fuzzEnv = []string{"LG_TEST_VAR=from-env", "LG_EMPTY_VAR=", "IP=10.0.0.1"}

// FuzzFixKeepsOthers checks the fix's promise on any UTF-8 input: after the
// planned change FlowMeter reads HOST as loopback from the file, and every
// other key exactly as before; the change touches only the planned span.
// It also checks what the parser promises of its spans.
func FuzzFixKeepsOthers(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		if !utf8.Valid(content) {
			return
		}
		before := Read(content, fuzzEnv)
		checkSpans(t, before)
		file := &File{Path: ".env", Target: ".env", Exists: true, Mode: 0o600, Reading: before}
		plan, err := PlanLocalOnly(file)
		if err != nil {
			if !errors.Is(err, ErrNoSafeEdit) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		// Outside the edit, not a byte changes.
		e := plan.Edit
		if !bytes.Equal(plan.After[:e.Span.Start], content[:e.Span.Start]) ||
			!bytes.Equal(plan.After[e.Span.Start+len(e.Text):], content[e.Span.End:]) {
			t.Fatalf("bytes outside the edit changed:\n%q\n%q", content, plan.After)
		}
		after := Read(plan.After, fuzzEnv)
		host, ok := after.Values["host"]
		if !ok || !host.Set || !ClassifyHost(host.Value).Local() {
			t.Fatalf("after the fix HOST is %+v in %q", host, plan.After)
		}
		if !plan.Empty() && host.Value != LocalHost {
			t.Fatalf("the fix wrote HOST=%q", host.Value)
		}
		for k, v := range before.Values {
			if k == "host" {
				continue
			}
			if w := after.Values[k]; w.Set != v.Set || w.Value != v.Value {
				t.Fatalf("key %q changed from %q to %q:\n%q\n%q", k, v.Value, w.Value, content, plan.After)
			}
		}
		for k := range after.Values {
			if _, ok := before.Values[k]; !ok && k != "host" {
				t.Fatalf("the fix added key %q:\n%q", k, plan.After)
			}
		}
	})
}

// checkSpans checks the parser's promises: statements in order, spans
// inside the file, a key span inside the statement, an unquoted value equal
// to its bytes.
func checkSpans(t *testing.T, r *Reading) {
	t.Helper()
	prev := 0
	for _, st := range r.Statements {
		if st.Span.Start < prev || st.Span.End < st.Span.Start || st.Span.End > len(r.Bytes) {
			t.Fatalf("bad span %+v after %d in %q", st.Span, prev, r.Bytes)
		}
		prev = st.Span.End
		if st.Invalid {
			continue
		}
		if st.KeySpan.Start < st.Span.Start || st.KeySpan.End > st.Span.End {
			t.Fatalf("key span %+v outside %+v", st.KeySpan, st.Span)
		}
		if st.HasValue && st.Quote == 0 && string(r.Bytes[st.ValueSpan.Start:st.ValueSpan.End]) != st.Raw {
			t.Fatalf("unquoted value %q is not its bytes %q", st.Raw, r.Bytes[st.ValueSpan.Start:st.ValueSpan.End])
		}
	}
}
