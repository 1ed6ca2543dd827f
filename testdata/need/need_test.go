package need

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// recorder is a test as Missing sees it: it records a skip or a failure
// and stops there, as testing's own do.
type recorder struct {
	testing.TB
	skipped, failed string
	after           bool
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f on a recorder in a goroutine of its own, as a test runs.
func run(f func(testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
		r.after = true
	}()
	<-done
	return r
}

// TestMissing: without CI the test is skipped with the message alone; in
// CI it fails with the message and what CI installs; either way it stops.
func TestMissing(t *testing.T) {
	const msg = "neither-here nor there is installed (42)"
	missing := func(tb testing.TB) {
		Missing(tb, "Debian's nothing", "%s is installed (%d)", "neither-here nor there", 42)
	}
	t.Setenv("CI", "")
	if r := run(missing); r.skipped != msg || r.failed != "" || r.after {
		t.Errorf("without CI: skipped %q, failed %q, went on %v; want skipped %q", r.skipped, r.failed, r.after, msg)
	}
	t.Setenv("CI", "true")
	want := msg + "; CI runs the tests as root with Debian's nothing installed"
	if r := run(missing); r.failed != want || r.skipped != "" || r.after {
		t.Errorf("in CI: failed %q, skipped %q, went on %v; want failed %q", r.failed, r.skipped, r.after, want)
	}
}

// TestRoot: as root the test goes on; otherwise Root is Missing with why.
func TestRoot(t *testing.T) {
	t.Setenv("CI", "")
	r := run(func(tb testing.TB) { Root(tb, "Debian's nothing", "needs root to test Root") })
	if os.Geteuid() == 0 {
		if !r.after || r.skipped != "" || r.failed != "" {
			t.Errorf("as root: skipped %q, failed %q", r.skipped, r.failed)
		}
		return
	}
	if r.skipped != "needs root to test Root" || r.after {
		t.Errorf("not root: skipped %q, went on %v", r.skipped, r.after)
	}
}
