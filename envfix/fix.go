package envfix

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Backup is what a fix keeps next to the .env so that Undo can put the exact
// original bytes back: a copy of the original file (same mode and owner) and
// a small record of what was written.
type Backup struct {
	// Path is the copy of the original file: "<.env>.localguard-backup".
	Path string
	// Record is the undo record: "<.env>.localguard-undo.json".
	Record string
}

// backupOf names the backup of the file at target.
func backupOf(target string) Backup {
	return Backup{Path: target + ".localguard-backup", Record: target + ".localguard-undo.json"}
}

// undoRecord is the content of Backup.Record.
type undoRecord struct {
	File     string      `json:"file"`
	Existed  bool        `json:"existed"`
	Mode     fs.FileMode `json:"mode"`
	Original string      `json:"original_sha256"`
	Fixed    string      `json:"fixed_sha256"`
	FixedAt  time.Time   `json:"fixed_at"`
}

// BackupFor names where a fix of f keeps its backup.
func BackupFor(f *File) Backup { return backupOf(f.Target) }

// Apply writes the plan. It refuses, changing nothing, when the file is no
// longer the one planned on. Before the .env is touched, the original bytes
// are kept as a backup and an undo record is written; then the new content
// replaces the file atomically, keeping its mode and owner.
func Apply(p *Plan) (Backup, error) {
	b := backupOf(p.File.Target)
	if p.Empty() {
		return b, nil
	}
	now := &File{Path: p.File.Path, Target: p.File.Target}
	content, err := now.read()
	if err != nil {
		return b, err
	}
	if now.Exists != p.File.Exists || !bytes.Equal(content, p.Before) {
		return b, fmt.Errorf("%s changed on disk since the change was planned: check it again before fixing: %w", p.File.Path, ErrChanged)
	}
	removeStaleTemps(p.File.Target)
	rec := undoRecord{
		File: p.File.Target, Existed: now.Exists, Mode: p.File.Mode,
		Original: digest(p.Before), Fixed: digest(p.After), FixedAt: time.Now().UTC(),
	}
	if now.Exists {
		if err := writeAtomic(b.Path, p.Before, now.Mode, now.owner); err != nil {
			return b, fmt.Errorf("keeping a backup of %s: %w", p.File.Path, err)
		}
	}
	js, _ := json.MarshalIndent(rec, "", "  ")
	if err := writeAtomic(b.Record, append(js, '\n'), 0o600, now.owner); err != nil {
		return b, fmt.Errorf("keeping the undo record of %s: %w", p.File.Path, err)
	}
	crashPoint(stepBackupWritten)
	if err := writeAtomic(p.File.Target, p.After, p.File.Mode, now.owner); err != nil {
		return b, err
	}
	return b, nil
}

// Undo puts back the exact bytes the file had before the last fix. It
// refuses, changing nothing, when there is no fix to undo or the file was
// changed since the fix.
func Undo(path string) error {
	f := &File{Path: path, Target: path}
	content, err := f.read()
	if err != nil {
		return err
	}
	b := backupOf(f.Target)
	js, err := os.ReadFile(b.Record)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("there is nothing to undo: Localguard has not fixed %s: %w", path, ErrNothingToUndo)
	}
	if err != nil {
		return fmt.Errorf("cannot read the undo record %s (%w): check its permissions", b.Record, err)
	}
	var rec undoRecord
	if err := json.Unmarshal(js, &rec); err != nil {
		return fmt.Errorf("the undo record %s is damaged (%v): restore %s by hand from %s", b.Record, err, path, b.Path)
	}
	cur := digest(content)
	switch {
	case f.Exists && rec.Existed && cur == rec.Original:
		// The fix never reached the file (it was interrupted).
		b.remove()
		return fmt.Errorf("%s is already as it was before the fix, so there is nothing to undo: %w", path, ErrNothingToUndo)
	case !f.Exists && !rec.Existed:
		b.remove()
		return fmt.Errorf("%s is already gone, as it was before the fix: %w", path, ErrNothingToUndo)
	case !f.Exists || cur != rec.Fixed:
		return fmt.Errorf("%s was changed after Localguard fixed it, so undo would lose those changes: compare it with %s and edit it by hand: %w", path, b.Path, ErrChanged)
	}
	if !rec.Existed {
		if err := os.Remove(f.Target); err != nil {
			return fmt.Errorf("cannot remove %s (%w): check that the folder is writable", path, err)
		}
		b.remove()
		return nil
	}
	orig, err := os.ReadFile(b.Path)
	if err != nil || digest(orig) != rec.Original {
		return fmt.Errorf("the backup %s is missing or damaged, so the original cannot be put back: restore %s by hand", b.Path, path)
	}
	if err := writeAtomic(f.Target, orig, rec.Mode, f.owner); err != nil {
		return err
	}
	b.remove()
	return nil
}

// UndoAvailable reports whether Localguard fixed the file at path and can
// put it back: the undo record is there.
func UndoAvailable(path string) bool {
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	} else if abs, err := filepath.Abs(path); err == nil {
		target = abs
	}
	_, err := os.Stat(backupOf(target).Record)
	return err == nil
}

// remove deletes the backup and its record once they are no longer needed.
func (b Backup) remove() {
	os.Remove(b.Record)
	os.Remove(b.Path)
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
