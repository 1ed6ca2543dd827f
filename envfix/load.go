package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// MaxFileSize is the largest .env Localguard reads or changes. FlowMeter's
// own .env is a few hundred bytes; anything this large is not one.
const MaxFileSize = 1 << 20

// Reasons Localguard refuses a file. Each error Localguard returns wraps one
// of these, so callers can branch with errors.Is, and says in one sentence
// what is wrong and what to do.
var (
	ErrNotRegular    = errors.New("not a regular file")
	ErrTooLarge      = errors.New("file too large")
	ErrNotUTF8       = errors.New("not UTF-8 text")
	ErrChanged       = errors.New("file changed on disk")
	ErrNothingToUndo = errors.New("nothing to undo")
	ErrNoSafeEdit    = errors.New("no safe edit")
)

// File is a .env file as found on disk, read as FlowMeter reads it.
type File struct {
	// Path is the path as given.
	Path string
	// Target is the file actually read and written: Path with symbolic
	// links followed.
	Target string
	// Exists is false when there is no file: FlowMeter then runs on its
	// defaults.
	Exists bool
	// Mode is the file's permission bits (0600 for a file a fix creates).
	Mode fs.FileMode
	// Reading is the content read as FlowMeter reads it.
	Reading *Reading

	owner owner
}

// Load reads the .env at path as FlowMeter would, with the process
// environment env (in os.Environ form). A missing file is not an error.
func Load(path string, env []string) (*File, error) {
	f := &File{Path: path, Target: path, Mode: 0o600}
	if abs, err := filepath.Abs(path); err == nil {
		f.Target = abs
	}
	content, err := f.read()
	if err != nil {
		return nil, err
	}
	f.Reading = Read(content, env)
	return f, nil
}

// read follows links, checks the file is one Localguard may handle, and
// returns its bytes (nil when it does not exist).
func (f *File) read() ([]byte, error) {
	info, err := os.Lstat(f.Target)
	if errors.Is(err, fs.ErrNotExist) {
		f.Exists = false
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot look at %s (%w): check the path and its permissions", f.Path, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(f.Target)
		if err != nil {
			return nil, fmt.Errorf("%s is a link to a file that does not exist (%w): point --env at the real backend/.env", f.Path, err)
		}
		f.Target = target
		if info, err = os.Stat(target); err != nil {
			return nil, fmt.Errorf("cannot look at %s (%w): check the path and its permissions", target, err)
		}
	}
	if !info.Mode().IsRegular() {
		what := "a device or special file"
		if info.IsDir() {
			what = "a folder"
		}
		return nil, fmt.Errorf("%s is %s, not a .env file: point --env at FlowMeter's backend/.env: %w", f.Path, what, ErrNotRegular)
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, larger than the 1 MiB any FlowMeter .env needs: check that it is the right file: %w", f.Path, info.Size(), ErrTooLarge)
	}
	fh, err := os.Open(f.Target)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s (%w): check its permissions", f.Path, err)
	}
	defer fh.Close()
	content, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s (%w): check the disk and its permissions", f.Path, err)
	}
	if len(content) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than the 1 MiB any FlowMeter .env needs: check that it is the right file: %w", f.Path, ErrTooLarge)
	}
	if !utf8.Valid(content) {
		line := 1 + bytes.Count(content[:firstInvalidUTF8(content)], []byte("\n"))
		return nil, fmt.Errorf("%s is not UTF-8 text (line %d), so FlowMeter cannot read it either: save it as UTF-8: %w", f.Path, line, ErrNotUTF8)
	}
	f.Exists = true
	f.Mode = info.Mode().Perm()
	f.owner = ownerOf(info)
	if content == nil {
		content = []byte{}
	}
	return content, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
