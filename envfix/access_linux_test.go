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
	path, want := aclFixture(t, dir)
	staged := watchStagedACL(t, dir, want.acl)
	defer func() { crashPoint = func(string) {} }()
	b, err := Apply(mustPlan(t, path))
	crashPoint = func(string) {}
	if err != nil {
		t.Fatal(err)
	}
	if len(*staged) < 2 {
		t.Errorf("saw %d empty temporary files at the access step, want the backup's and the new .env's", len(*staged))
	}
	for _, p := range []string{path, b.Path} {
		checkSameAccess(t, p, want)
	}
	mode, uid, _ := statOf(t, b.Record)
	if mode.Perm() != 0o600 || uid != want.uid {
		t.Errorf("undo record: %v uid %d, want 0600 uid %d", mode, uid, want.uid)
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

// fileAccess is who may read a file: mode, owner and ACL.
type fileAccess struct {
	mode     os.FileMode
	uid, gid uint32
	acl      string
}

// aclFixture writes a .env in dir owned by 4242:4343, readable by user 4444
// through an ACL and by nobody of its group, with the user extended
// attribute user.origin=analyst; it returns its path and access.
func aclFixture(t *testing.T, dir string) (string, fileAccess) {
	t.Helper()
	path := writeFile(t, dir, ".env", []byte("OPENAI_API_KEY=sk-secret\nHOST=0.0.0.0\n"), 0o640)
	if err := os.Chown(path, 4242, 4343); err != nil {
		t.Fatal(err)
	}
	sh(t, "setfacl -m u:4444:r,g::-,m::r "+shellQuote(path))
	if out, err := runQuiet("setfattr", "-n", "user.origin", "-v", "analyst", path); err != nil {
		missing(t, "this file system takes no user extended attributes: %s", out)
	}
	a := fileAccess{acl: getfacl(t, path)}
	if !strings.Contains(a.acl, "user:4444:r--") || !strings.Contains(a.acl, "group::---") {
		t.Fatalf("setfacl did not make the ACL: %s", a.acl)
	}
	a.mode, a.uid, a.gid = statOf(t, path)
	return path, a
}

// watchStagedACL makes every empty temporary file at the access step
// (undo records aside) be checked for the ACL want, and listed.
func watchStagedACL(t *testing.T, dir, want string) *[]string {
	var staged []string
	crashPoint = func(step string) {
		if step != stepAccessGiven {
			return
		}
		tmps, _ := filepath.Glob(filepath.Join(dir, "..env*.localguard-*.tmp"))
		for _, tmp := range tmps {
			info, err := os.Stat(tmp)
			if err != nil || info.Size() != 0 || strings.Contains(tmp, recordInfix) {
				continue // a temp file of another step, or the undo record (private to the owner)
			}
			staged = append(staged, tmp)
			if got := getfacl(t, tmp); got != want {
				t.Errorf("temporary file %s had ACL\n%s\nbefore it was filled, want\n%s", tmp, got, want)
			}
		}
	}
	return &staged
}

// checkSameAccess: the file at p has the mode, owner, ACL and user.origin
// of the fixture.
func checkSameAccess(t *testing.T, p string, want fileAccess) {
	t.Helper()
	mode, uid, gid := statOf(t, p)
	if mode != want.mode || uid != want.uid || gid != want.gid {
		t.Errorf("%s: %v %d:%d, want %v %d:%d", p, mode, uid, gid, want.mode, want.uid, want.gid)
	}
	if got := getfacl(t, p); got != want.acl {
		t.Errorf("%s: ACL\n%s\nwant\n%s", p, got, want.acl)
	}
	if got := sh(t, "getfattr --absolute-names --only-values -n user.origin "+shellQuote(p)+" 2>/dev/null"); got != "analyst" {
		t.Errorf("%s: user.origin = %q", p, got)
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
