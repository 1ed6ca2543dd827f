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
	// info is the file as read: its identity, size and modification time,
	// which a write compares just before it replaces the file.
	info fs.FileInfo
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
	if err := checkExpansion(f.Path, content, env); err != nil {
		return nil, err
	}
	f.Reading = Read(content, env)
	return f, nil
}

// read follows links, checks the file is one Localguard may handle, and
// returns its bytes (nil when it does not exist). It opens the file without
// following a link and without blocking, and judges what it opened, so a
// file swapped for a FIFO or a device between a look and the open is
// refused rather than read.
func (f *File) read() ([]byte, error) {
	info, err := os.Lstat(f.Target)
	if errors.Is(err, fs.ErrNotExist) {
		f.Exists, f.info = false, nil
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
	}
	content, info, err := readRegular(f.Target, MaxFileSize)
	switch {
	case errors.Is(err, ErrNotRegular):
		return nil, fmt.Errorf("%s is %s, not a .env file: point --env at FlowMeter's backend/.env: %w", f.Path, kindOf(info), ErrNotRegular)
	case errors.Is(err, ErrTooLarge):
		return nil, fmt.Errorf("%s is larger than the 1 MiB any FlowMeter .env needs: check that it is the right file: %w", f.Path, ErrTooLarge)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s (%w): check the path and its permissions", f.Path, err)
	}
	if !utf8.Valid(content) {
		line := 1 + bytes.Count(content[:firstInvalidUTF8(content)], []byte("\n"))
		return nil, fmt.Errorf("%s is not UTF-8 text (line %d), so FlowMeter cannot read it either: save it as UTF-8: %w", f.Path, line, ErrNotUTF8)
	}
	f.Exists, f.info = true, info
	f.Mode = info.Mode().Perm()
	f.owner = ownerOf(info)
	return content, nil
}

// readRegular reads the file at path, which must be a regular file of at
// most limit bytes. It never follows a link at path itself and never
// blocks on a FIFO, and it reads at most limit+1 bytes, so a link to
// /dev/zero or a file growing under it cannot exhaust memory. info is what
// was opened (nil when nothing was).
func readRegular(path string, limit int) (content []byte, info fs.FileInfo, err error) {
	fh, err := openNoFollow(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	if info, err = fh.Stat(); err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, info, ErrNotRegular
	}
	if info.Size() > int64(limit) {
		return nil, info, ErrTooLarge
	}
	content, err = io.ReadAll(io.LimitReader(fh, int64(limit)+1))
	if err != nil {
		return nil, info, err
	}
	if len(content) > limit {
		return nil, info, ErrTooLarge
	}
	if content == nil {
		content = []byte{}
	}
	return content, info, nil
}

// kindOf names what a file that is not a regular one is.
func kindOf(info fs.FileInfo) string {
	switch {
	case info == nil:
		return "not a regular file"
	case info.IsDir():
		return "a folder"
	case info.Mode()&fs.ModeSymlink != 0:
		return "a link"
	case info.Mode()&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	}
	return "a device or special file"
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
