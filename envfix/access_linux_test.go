//go:build linux

package envfix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixKeepsAccess: a .env readable by one extra user through a POSIX ACL
// (and by nobody of its group) comes out of a fix, and its backup, with the
// same owner, mode, ACL and extended attributes; and the temporary files
// had that access before any byte was written into them.
func TestFixKeepsAccess(t *testing.T) {
	needRoot(t)
	needTool(t, "setfacl")
	needTool(t, "setfattr")
	dir := t.TempDir()
	path := writeFile(t, dir, ".env", []byte("OPENAI_API_KEY=sk-secret\nHOST=0.0.0.0\n"), 0o640)
	if err := os.Chown(path, 4242, 4343); err != nil {
		t.Fatal(err)
	}
	sh(t, "setfacl -m u:4444:r,g::-,m::r "+shellQuote(path))
	if out, err := runQuiet("setfattr", "-n", "user.origin", "-v", "analyst", path); err != nil {
		missing(t, "this file system takes no user extended attributes: %s", out)
	}
	wantACL := getfacl(t, path)
	if !strings.Contains(wantACL, "user:4444:r--") || !strings.Contains(wantACL, "group::---") {
		t.Fatalf("setfacl did not make the ACL: %s", wantACL)
	}
	wantMode, wantUID, wantGID := statOf(t, path)

	var staged []string
	crashPoint = func(step string) {
		if step != stepAccessGiven {
			return
		}
		tmps, _ := filepath.Glob(filepath.Join(dir, "..env*.localguard-*.tmp"))
		for _, tmp := range tmps {
			info, err := os.Stat(tmp)
			if err != nil || info.Size() != 0 {
				continue // a temp file of another step
			}
			if strings.Contains(tmp, recordInfix) {
				continue // the undo record is private to the owner
			}
			staged = append(staged, tmp)
			if got := getfacl(t, tmp); got != wantACL {
				t.Errorf("temporary file %s had ACL\n%s\nbefore it was filled, want\n%s", tmp, got, wantACL)
			}
		}
	}
	defer func() { crashPoint = func(string) {} }()
	b, err := Apply(mustPlan(t, path))
	crashPoint = func(string) {}
	if err != nil {
		t.Fatal(err)
	}
	if len(staged) < 2 {
		t.Errorf("saw %d empty temporary files at the access step, want the backup's and the new .env's", len(staged))
	}
	for _, p := range []string{path, b.Path} {
		mode, uid, gid := statOf(t, p)
		if mode != wantMode || uid != wantUID || gid != wantGID {
			t.Errorf("%s: %v %d:%d, want %v %d:%d", p, mode, uid, gid, wantMode, wantUID, wantGID)
		}
		if got := getfacl(t, p); got != wantACL {
			t.Errorf("%s: ACL\n%s\nwant\n%s", p, got, wantACL)
		}
		if got := sh(t, "getfattr --absolute-names --only-values -n user.origin "+shellQuote(p)+" 2>/dev/null"); got != "analyst" {
			t.Errorf("%s: user.origin = %q", p, got)
		}
	}
	mode, uid, _ := statOf(t, b.Record)
	if mode.Perm() != 0o600 || uid != wantUID {
		t.Errorf("undo record: %v uid %d, want 0600 uid %d", mode, uid, wantUID)
	}
	// Undo keeps what the file has now: the user narrows the ACL after the
	// fix, and the restored file keeps the narrower one.
	sh(t, "setfacl -x u:4444 "+shellQuote(path))
	narrowed := getfacl(t, path)
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	if got := getfacl(t, path); got != narrowed {
		t.Errorf("after undo ACL\n%s\nwant the one set after the fix\n%s", got, narrowed)
	}
}

// TestFixIgnoresFolderDefaultACL: a folder whose default ACL would let
// another user read new files does not widen a .env that has no ACL.
func TestFixIgnoresFolderDefaultACL(t *testing.T) {
	needRoot(t)
	needTool(t, "setfacl")
	dir := t.TempDir()
	path := writeFile(t, dir, ".env", []byte("HOST=0.0.0.0\n"), 0o640)
	sh(t, "setfacl -d -m u:4444:r "+shellQuote(dir))
	want := getfacl(t, path)
	b, err := Apply(mustPlan(t, path))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, b.Path} {
		if got := getfacl(t, p); got != want {
			t.Errorf("%s: ACL\n%s\nwant the original's\n%s", p, got, want)
		}
	}
}
