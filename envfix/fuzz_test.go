package envfix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	addDotenvSeeds(f)
	f.Fuzz(func(t *testing.T, content []byte) {
		if !utf8.Valid(content) {
			return
		}
		checkLinear(t, content)
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
		checkEditOnly(t, content, plan)
		after := Read(plan.After, fuzzEnv)
		host := checkHostLocal(t, after)
		if !plan.Empty() && host.Value != LocalHost {
			t.Fatalf("the fix wrote HOST=%q", host.Value)
		}
		checkOthersRead(t, before, after)
	})
}

// addDotenvSeeds seeds f with the small test .env files.
func addDotenvSeeds(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
}

// checkEditOnly: outside the plan's edit, not a byte of content changed.
func checkEditOnly(t *testing.T, content []byte, plan *Plan) {
	t.Helper()
	e := plan.Edit
	if !bytes.Equal(plan.After[:e.Span.Start], content[:e.Span.Start]) ||
		!bytes.Equal(plan.After[e.Span.Start+len(e.Text):], content[e.Span.End:]) {
		t.Fatalf("bytes outside the edit changed:\n%q\n%q", content, plan.After)
	}
}

// checkHostLocal: after the fix, FlowMeter reads HOST as loopback. It
// returns HOST.
func checkHostLocal(t *testing.T, after *Reading) Value {
	t.Helper()
	host, ok := after.Values["host"]
	if !ok || !host.Set || !ClassifyHost(host.Value).Local() {
		t.Fatalf("after the fix HOST is %+v in %q", host, after.Bytes)
	}
	return host
}

// checkOthersRead: every key but HOST reads after as before (a key gone
// reads as a bare key), and the fix added none.
func checkOthersRead(t *testing.T, before, after *Reading) {
	t.Helper()
	for k, v := range before.Values {
		if k == "host" {
			continue
		}
		if w := after.Values[k]; w.Set != v.Set || w.Value != v.Value {
			t.Fatalf("key %q changed from %q to %q:\n%q\n%q", k, v.Value, w.Value, before.Bytes, after.Bytes)
		}
	}
	for k := range after.Values {
		if _, ok := before.Values[k]; !ok && k != "host" {
			t.Fatalf("the fix added key %q:\n%q", k, after.Bytes)
		}
	}
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

// linearSize and linearBudget are the time budget per fuzz input: each
// input is repeated to linearSize bytes, then read and planned. Linear
// code does that in milliseconds; a quadratic path (the "${" runs took
// about 5 s at this size before they were made linear) blows the budget by far,
// so a busy machine cannot make it fail by chance.
const (
	linearSize   = 128 << 10
	linearBudget = time.Second
)

// checkLinear reads and plans content repeated to linearSize bytes, and
// fails when that takes longer than linearBudget.
func checkLinear(t *testing.T, content []byte) {
	t.Helper()
	if len(content) == 0 {
		return
	}
	big := bytes.Repeat(content, linearSize/len(content)+1)
	start := time.Now()
	if checkExpansion(".env", big, fuzzEnv) != nil {
		return // refused before any expansion, as Load refuses it
	}
	r := Read(big, fuzzEnv)
	PlanLocalOnly(&File{Path: ".env", Target: ".env", Exists: true, Mode: 0o600, Reading: r})
	if d := time.Since(start); d > linearBudget {
		t.Fatalf("reading and planning %d bytes took %v (budget %v): a path that is not linear in the file's size, for the input repeated:\n%q", len(big), d, linearBudget, content)
	}
}

// FuzzRoundTrip writes, fixes and undoes real files: for any input that fix
// accepts, the fixed file reads back with HOST on loopback and every other
// key unchanged, and undo gives back the exact original bytes and leaves
// no backup behind.
func FuzzRoundTrip(f *testing.F) {
	addDotenvSeeds(f)
	dir := f.TempDir()
	path := filepath.Join(dir, ".env")
	// Nothing else writes this file: the moment a swap is watched for a
	// late writer would only slow the fuzzer down.
	swapSettle = 0
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o640); err != nil {
			t.Fatal(err)
		}
		file, plan, ok := loadAndPlan(t, path)
		if !ok {
			return
		}
		if _, err := Apply(plan); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		fixed, err := Load(path, fuzzEnv)
		if err != nil {
			t.Fatalf("Localguard cannot read back what it wrote: %v", err)
		}
		checkHostLocal(t, fixed.Reading)
		checkOthersKept(t, file.Reading, fixed.Reading)
		if !plan.Empty() {
			checkUndone(t, path, content)
		}
	})
}

// loadAndPlan loads the file at path and plans its fix; ok is false when
// Localguard refuses it for a reason it states (not UTF-8, too large, no
// safe edit).
func loadAndPlan(t *testing.T, path string) (*File, *Plan, bool) {
	t.Helper()
	file, err := Load(path, fuzzEnv)
	if err != nil {
		if !errors.Is(err, ErrNotUTF8) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Load: %v", err)
		}
		return nil, nil, false
	}
	plan, err := PlanLocalOnly(file)
	if err != nil {
		if !errors.Is(err, ErrNoSafeEdit) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("plan: %v", err)
		}
		return nil, nil, false
	}
	return file, plan, true
}

// checkOthersKept: every key but HOST is still there with the same value,
// and the fix added none.
func checkOthersKept(t *testing.T, before, after *Reading) {
	t.Helper()
	for k := range after.Values {
		if _, ok := before.Values[k]; !ok && k != "host" {
			t.Fatalf("the fix added key %q", k)
		}
	}
	for k, v := range before.Values {
		w, ok := after.Values[k]
		if k != "host" && (!ok || w.Set != v.Set || w.Value != v.Value) {
			t.Fatalf("key %q changed from %+v to %+v", k, v, w)
		}
	}
}

// checkUndone: undo gives back content exactly and leaves no backup.
func checkUndone(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := Undo(path); err != nil {
		t.Fatalf("Undo: %v", err)
	}
	back, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(back, content) {
		t.Fatalf("undo gave %q (%v), want %q", back, err, content)
	}
	if UndoAvailable(path) {
		t.Fatal("a backup is left after the last undo")
	}
}
