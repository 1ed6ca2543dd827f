package envfix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name string, content []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPlan(t *testing.T, path string) *Plan {
	t.Helper()
	f, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanLocalOnly(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlanKeepsStyle: the fix changes the deciding line in place, keeping
// its quotes, export, comment and line ending, or adds one line.
func TestPlanKeepsStyle(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "HOST=0.0.0.0\nPORT=8000\n", "HOST=127.0.0.1\nPORT=8000\n"},
		{"comment", "HOST=0.0.0.0   # all interfaces\n", "HOST=127.0.0.1   # all interfaces\n"},
		{"export spaces", "  export  HOST = 0.0.0.0\n", "  export  HOST = 127.0.0.1\n"},
		{"double quotes", "HOST=\"0.0.0.0\" # x\r\n", "HOST=\"127.0.0.1\" # x\r\n"},
		{"single quotes", "HOST='0.0.0.0'\n", "HOST='127.0.0.1'\n"},
		{"crlf", "A=1\r\nHOST=0.0.0.0\r\nB=2\r\n", "A=1\r\nHOST=127.0.0.1\r\nB=2\r\n"},
		{"lone cr", "A=1\rHOST=\rB=2", "A=1\rHOST=127.0.0.1\rB=2"},
		{"empty value", "HOST=\nPORT=1\n", "HOST=127.0.0.1\nPORT=1\n"},
		{"bare key", "HOST=0.0.0.0\nHOST\n", "HOST=0.0.0.0\nHOST=127.0.0.1\n"},
		{"mixed case wins", "HOST=a\nhost=b\nHOST=c\n", "HOST=a\nhost=127.0.0.1\nHOST=c\n"},
		{"no host line", "PORT=8000\n", "PORT=8000\nHOST=127.0.0.1\n"},
		{"no final newline", "PORT=8000", "PORT=8000\nHOST=127.0.0.1\n"},
		{"crlf no host", "PORT=8000\r\n", "PORT=8000\r\nHOST=127.0.0.1\r\n"},
		{"bom hides host", "\ufeffHOST=127.0.0.1\n", "\ufeffHOST=127.0.0.1\nHOST=127.0.0.1\n"},
		{"referenced later", "HOST=0.0.0.0\nURL=http://${HOST}:8000\n", "HOST=0.0.0.0\nURL=http://${HOST}:8000\nHOST=127.0.0.1\n"},
		{"empty file", "", "HOST=127.0.0.1\n"},
		{"already loopback", "HOST=localhost\n", "HOST=localhost\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{Path: ".env", Exists: true, Reading: Read([]byte(tt.in), nil)}
			p, err := PlanLocalOnly(f)
			if err != nil {
				t.Fatal(err)
			}
			if string(p.After) != tt.want {
				t.Errorf("got  %q\nwant %q", p.After, tt.want)
			}
		})
	}
}

func TestPlanDiff(t *testing.T) {
	f := &File{Path: "backend/.env", Exists: true, Reading: Read([]byte("A=1\nB=2\nHOST=0.0.0.0\nC=3\nD=4\n"), nil)}
	p, err := PlanLocalOnly(f)
	if err != nil {
		t.Fatal(err)
	}
	want := "--- backend/.env\n+++ backend/.env (fixed)\n B=2\n-HOST=0.0.0.0\n+HOST=127.0.0.1\n C=3\n"
	if got := p.Diff(); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	if p.Line != 3 {
		t.Errorf("line %d, want 3", p.Line)
	}
}

// TestApplyAndUndo: the fix keeps mode and a backup; undo puts back the
// exact bytes and removes the backup.
func TestApplyAndUndo(t *testing.T) {
	dir := t.TempDir()
	orig := []byte("# FlowMeter\nDEBUG=true\nHOST=0.0.0.0\nPORT=8000")
	path := writeFile(t, dir, ".env", orig, 0o640)
	// Windows keeps only a read-only bit: 0640 reads back as 0666 there.
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	mode := info.Mode().Perm()
	b, err := Apply(mustPlan(t, path))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "# FlowMeter\nDEBUG=true\nHOST=127.0.0.1\nPORT=8000" {
		t.Errorf("fixed file %q", got)
	}
	for _, p := range []string{path, b.Path} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: mode %v (%v), want %v", p, info.Mode().Perm(), err, mode)
		}
	}
	if backup, _ := os.ReadFile(b.Path); !bytes.Equal(backup, orig) {
		t.Errorf("backup %q", backup)
	}
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Errorf("after undo %q", got)
	}
	if _, err := os.Stat(b.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup still there: %v", err)
	}
	if err := Undo(path); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("second undo: %v", err)
	}
}

func TestApplyCreatesMissingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	if _, err := Apply(mustPlan(t, path)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "HOST=127.0.0.1\n" {
		t.Errorf("created %q", got)
	}
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("undo should remove the file it created: %v", err)
	}
}

func TestApplyFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, dir, "real.env", []byte("HOST=0.0.0.0\n"), 0o600)
	link := filepath.Join(dir, ".env")
	if err := os.Symlink("real.env", link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		// Wine 8 answers CreateSymbolicLink with success and makes no link.
		t.Skip("no symlinks here: the link made cannot be read back:", err)
	}
	if _, err := Apply(mustPlan(t, link)); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Lstat(link); info.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if got, _ := os.ReadFile(target); string(got) != "HOST=127.0.0.1\n" {
		t.Errorf("target %q", got)
	}
}

func TestApplyRefusesChangedFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, ".env", []byte("HOST=0.0.0.0\n"), 0o600)
	plan := mustPlan(t, path)
	edited := []byte("HOST=0.0.0.0\nPORT=9000\n")
	writeFile(t, dir, ".env", edited, 0o600)
	if _, err := Apply(plan); !errors.Is(err, ErrChanged) {
		t.Fatalf("Apply: %v, want ErrChanged", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, edited) {
		t.Errorf("file touched: %q", got)
	}
}

func TestUndoRefusesEditedFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, ".env", []byte("HOST=0.0.0.0\n"), 0o600)
	if _, err := Apply(mustPlan(t, path)); err != nil {
		t.Fatal(err)
	}
	edited := []byte("HOST=127.0.0.1\nDEBUG=false\n")
	writeFile(t, dir, ".env", edited, 0o600)
	if err := Undo(path); !errors.Is(err, ErrChanged) {
		t.Fatalf("Undo: %v, want ErrChanged", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, edited) {
		t.Errorf("file touched: %q", got)
	}
}

// TestRefusals: inputs Localguard will not read or fix give one sentence,
// and the file stays byte for byte as it was.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("# padding padding padding padding\n"), MaxFileSize/30)
	big = append(big, "HOST=0.0.0.0\n"...)
	cases := []struct {
		name    string
		path    string
		want    error
		content []byte
	}{
		{"folder", dir, ErrNotRegular, nil},
		{"not utf-8", writeFile(t, dir, "latin1.env", []byte("APP_NAME=D\xe9bit\nHOST=0.0.0.0\n"), 0o600), ErrNotUTF8, nil},
		{"utf-16", writeFile(t, dir, "utf16.env", []byte("\xff\xfeH\x00O\x00S\x00T\x00=\x00"), 0o600), ErrNotUTF8, nil},
		{"too large", writeFile(t, dir, "big.env", big, 0o600), ErrTooLarge, nil},
	}
	if runtime.GOOS != "windows" {
		dev := filepath.Join(dir, "dev.env")
		if err := os.Symlink("/dev/null", dev); err == nil {
			cases = append(cases, struct {
				name    string
				path    string
				want    error
				content []byte
			}{"device", dev, ErrNotRegular, nil})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			_, err := Load(c.path, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("Load: %v, want %v", err, c.want)
			}
			msg := err.Error()
			if strings.Count(msg, "\n") > 0 || !strings.Contains(msg, ":") {
				t.Errorf("not one sentence with advice: %q", msg)
			}
			if after, _ := os.ReadFile(c.path); !bytes.Equal(before, after) {
				t.Error("file changed")
			}
		})
	}
}
