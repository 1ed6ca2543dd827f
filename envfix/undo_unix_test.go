//go:build unix

package envfix

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUndoTrustsTheFileSystem: undo keeps the mode and owner the .env has
// now, whatever the undo record says, and never sets setuid, setgid or
// sticky.
func TestUndoTrustsTheFileSystem(t *testing.T) {
	orig := []byte("HOST=0.0.0.0\nSECRET=x\n")
	t.Run("chmod after the fix", func(t *testing.T) {
		path, _ := fixedFile(t, t.TempDir(), orig, 0o644)
		mustDo(t, os.Chmod(path, 0o600))
		mustUndo(t, path)
		if mode, _, _ := statOf(t, path); mode != 0o600 {
			t.Errorf("mode %v after undo, want the 0600 set after the fix", mode)
		}
		checkHolds(t, path, orig, "after undo")
	})
	t.Run("edited record", func(t *testing.T) {
		path, b := fixedFile(t, t.TempDir(), orig, 0o640)
		var rec map[string]any
		js, _ := os.ReadFile(b.Record)
		json.Unmarshal(js, &rec)
		rec["mode"] = uint32(os.ModeSetuid | os.ModeSetgid | 0o777)
		js, _ = json.Marshal(rec)
		os.WriteFile(b.Record, js, 0o600)
		mustUndo(t, path)
		if mode, _, _ := statOf(t, path); mode != 0o640 {
			t.Errorf("mode %v after undo with an edited record, want 0640", mode)
		}
	})
	t.Run("setuid on the file", func(t *testing.T) {
		path, _ := fixedFile(t, t.TempDir(), orig, 0o640)
		mustDo(t, os.Chmod(path, os.ModeSetuid|os.ModeSetgid|os.ModeSticky|0o750))
		mustUndo(t, path)
		if mode, _, _ := statOf(t, path); mode != 0o750 {
			t.Errorf("mode %v after undo, want 0750 without setuid, setgid or sticky", mode)
		}
	})
	t.Run("chown after the fix", func(t *testing.T) {
		needRoot(t)
		path, _ := fixedFile(t, t.TempDir(), orig, 0o640)
		mustDo(t, os.Chown(path, 5151, 5252))
		mustUndo(t, path)
		if _, uid, gid := statOf(t, path); uid != 5151 || gid != 5252 {
			t.Errorf("owner %d:%d after undo, want the 5151:5252 set after the fix", uid, gid)
		}
	})
}

// TestUndoRefusesSpecialFiles: a FIFO, a link to /dev/zero, a link to a
// regular file or an oversized file in place of the backup or the record
// is refused at once in one sentence, and the .env is left as it was.
func TestUndoRefusesSpecialFiles(t *testing.T) {
	orig := []byte("HOST=0.0.0.0\n")
	cases := []struct {
		name string
		make func(t *testing.T, p string)
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"link to /dev/zero", func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}},
		{"link to a regular file", func(t *testing.T, p string) {
			real := p + ".real"
			if err := os.Rename(p+".saved", real); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(real, p); err != nil {
				t.Fatal(err)
			}
		}},
		{"over the size limit", func(t *testing.T, p string) {
			if err := os.WriteFile(p, bytes.Repeat([]byte("#"), MaxFileSize+1), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		for _, which := range []string{"backup", "record"} {
			t.Run(which+" "+c.name, func(t *testing.T) { checkUndoRefuses(t, orig, which, c.make) })
		}
	}
}

// checkUndoRefuses fixes orig, puts what plant makes in place of the
// backup or the record (which), and checks undo refuses it at once, in
// one sentence, leaving the .env as it was.
func checkUndoRefuses(t *testing.T, orig []byte, which string, plant func(t *testing.T, p string)) {
	path, b := fixedFile(t, t.TempDir(), orig, 0o600)
	victim := b.Path
	if which == "record" {
		victim = b.Record
	}
	mustDo(t, os.Rename(victim, victim+".saved"))
	plant(t, victim)
	fixed, _ := os.ReadFile(path)
	done := make(chan error, 1)
	go func() { done <- Undo(path) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("undo hangs")
	}
	if err == nil {
		t.Fatal("undo accepted it")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "nothing was changed") {
		t.Errorf("not one sentence saying nothing changed: %q", msg)
	}
	checkHolds(t, path, fixed, "after the refused undo")
}

// TestSizeLimitOneRule: files of 1 MiB - 1, 1 MiB and 1 MiB + 1 bytes, and
// one a fix brings to exactly 1 MiB. Whatever fix writes, undo accepts; a
// fix whose result would pass the limit is refused before anything is
// written, and the file is left byte for byte.
func TestSizeLimitOneRule(t *testing.T) {
	cases := []sizeCase{
		{"fix reaches 1 MiB exactly", MaxFileSize - 2, false, false, MaxFileSize},
		{"1 MiB - 1", MaxFileSize - 1, false, true, 0},
		{"1 MiB", MaxFileSize, false, true, 0},
		{"1 MiB + 1", MaxFileSize + 1, true, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// sizeCase is a .env of size bytes ending in HOST=0.0.0.0: whether Load
// and the plan refuse it, and the size of the fixed file (0: refused).
type sizeCase struct {
	name      string
	size      int
	loadErr   bool
	planErr   bool
	wantAfter int
}

// envOfSize is a .env of exactly size bytes of comment lines ending in
// HOST=0.0.0.0.
func envOfSize(size int) []byte {
	tail := []byte("HOST=0.0.0.0\n")
	pad := size - len(tail)
	line := append(bytes.Repeat([]byte("#"), 99), '\n')
	b := bytes.Repeat(line, pad/100)
	b = append(b, bytes.Repeat([]byte("#"), pad%100)...)
	if pad%100 > 0 {
		b[len(b)-1] = '\n'
	}
	return append(b, tail...)
}

// check loads, plans, fixes and undoes the case's file, as far as
// Localguard goes; a refused file is left byte for byte, with no backup.
func (c sizeCase) check(t *testing.T) {
	content := envOfSize(c.size)
	if len(content) != c.size {
		t.Fatalf("made %d bytes, want %d", len(content), c.size)
	}
	path := writeFile(t, t.TempDir(), ".env", content, 0o600)
	if c.wantAfter == 0 {
		defer checkRefusedKept(t, path, content)
	}
	p, ok := c.plan(t, path)
	if !ok {
		return
	}
	mustApply(t, p)
	if info, _ := os.Stat(path); info.Size() != int64(c.wantAfter) {
		t.Fatalf("fixed file is %d bytes, want %d", info.Size(), c.wantAfter)
	}
	if _, err := Load(path, nil); err != nil {
		t.Fatalf("Localguard refuses the file it wrote: %v", err)
	}
	if err := Undo(path); err != nil {
		t.Fatalf("undo refuses what fix wrote: %v", err)
	}
	checkHolds(t, path, content, "after undo")
}

// plan loads and plans the file at path; ok is false when it was refused
// as the case wants.
func (c sizeCase) plan(t *testing.T, path string) (*Plan, bool) {
	f, err := Load(path, nil)
	if c.loadErr {
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Load: %v, want ErrTooLarge", err)
		}
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanLocalOnly(f)
	if c.planErr {
		if !errors.Is(err, ErrTooLarge) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("Plan: %v, want one sentence wrapping ErrTooLarge", err)
		}
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, true
}

// checkRefusedKept: a refused file holds content still, with no backup.
func checkRefusedKept(t *testing.T, path string, content []byte) {
	checkHolds(t, path, content, "a refused file")
	if h := history(path); len(h) != 0 {
		t.Errorf("a refusal left backups: %v", h)
	}
}

// TestHistory: each fix keeps its own backup; undo steps back one fix at a
// time, down to the file as it was before Localguard first changed it, and
// removes only the backup it used; ForgetBackups removes the rest.
func TestHistory(t *testing.T) {
	dir := t.TempDir()
	orig := []byte("DEBUG=true\nHOST=0.0.0.0\n")
	path := writeFile(t, dir, ".env", orig, 0o600)
	f, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := PlanSet(f, "DEBUG", "false")
	if err != nil {
		t.Fatal(err)
	}
	b1 := mustApply(t, p1)
	afterDebug, _ := os.ReadFile(path)
	b2 := mustApply(t, mustPlan(t, path))
	if b1.Step != 1 || b2.Step != 2 || b1.Path == b2.Path {
		t.Fatalf("steps %+v %+v", b1, b2)
	}
	checkHolds(t, b1.Path, orig, "the first backup")
	if n := UndoSteps(path); n != 2 {
		t.Errorf("UndoSteps = %d, want 2", n)
	}
	mustUndo(t, path)
	checkHolds(t, path, afterDebug, "first undo")
	if _, err := os.Stat(b2.Path); !errors.Is(err, os.ErrNotExist) {
		t.Error("the used backup is still there")
	}
	if _, err := os.Stat(b1.Path); err != nil {
		t.Error("the older backup was removed before it was used")
	}
	mustUndo(t, path)
	checkHolds(t, path, orig, "second undo")
	if err := Undo(path); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("third undo: %v", err)
	}
	checkForget(t, dir, path)
}

// checkForget fixes path once more and forgets its backups, on request:
// none is left and undo is no longer offered.
func checkForget(t *testing.T, dir, path string) {
	mustApply(t, mustPlan(t, path))
	if n, err := ForgetBackups(path); err != nil || n != 1 {
		t.Fatalf("ForgetBackups = %d, %v", n, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".env.localguard-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if UndoAvailable(path) {
		t.Error("undo still offered")
	}
}

// TestHistoryReadsOldSingleBackup: a backup kept by a Localguard that kept
// only one is the oldest step.
func TestHistoryReadsOldSingleBackup(t *testing.T) {
	dir := t.TempDir()
	orig := []byte("HOST=0.0.0.0\n")
	path := writeFile(t, dir, ".env", orig, 0o600)
	b, err := Apply(mustPlan(t, path))
	if err != nil {
		t.Fatal(err)
	}
	old := backupAt(path, 0)
	os.Rename(b.Path, old.Path)
	os.Rename(b.Record, old.Record)
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Errorf("got %q", got)
	}
}

// TestApplyRefusesTouchedFile: the same bytes with another modification
// time (or another inode) are not the file the plan was made from.
func TestApplyRefusesTouchedFile(t *testing.T) {
	dir := t.TempDir()
	content := []byte("HOST=0.0.0.0\n")
	path := writeFile(t, dir, ".env", content, 0o600)
	plan := mustPlan(t, path)
	later := time.Now().Add(time.Hour)
	os.Chtimes(path, later, later)
	if _, err := Apply(plan); !errors.Is(err, ErrChanged) {
		t.Fatalf("Apply after touch: %v", err)
	}
	plan = mustPlan(t, path)
	writeFile(t, dir, ".env.new", content, 0o600)
	os.Rename(filepath.Join(dir, ".env.new"), path)
	if _, err := Apply(plan); !errors.Is(err, ErrChanged) {
		t.Fatalf("Apply after the file was replaced: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
		t.Errorf("file touched: %q", got)
	}
}

// TestLockThroughLinkedFolder: a .env reached through a linked folder is
// locked, fixed and undone as the file it is.
func TestLockThroughLinkedFolder(t *testing.T) {
	real := t.TempDir()
	writeFile(t, real, ".env", []byte("HOST=0.0.0.0\n"), 0o600)
	link := filepath.Join(t.TempDir(), "backend")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(link, ".env")
	l, err := LockEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Apply(mustPlan(t, path)); err != nil {
		t.Fatalf("Apply under the lock: %v", err)
	}
	if err := l.Undo(path); err != nil {
		t.Fatalf("Undo under the lock: %v", err)
	}
	l.Unlock()
	if got, _ := os.ReadFile(path); string(got) != "HOST=0.0.0.0\n" {
		t.Errorf("got %q", got)
	}
}
