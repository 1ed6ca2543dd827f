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

// maxRecordSize bounds an undo record; Localguard writes a few hundred
// bytes.
const maxRecordSize = 64 << 10

// undoRecord is the content of Backup.Record. Undo trusts it only for the
// digests that say which bytes to expect: who may read the file is taken
// from the file system, never from the record.
type undoRecord struct {
	File    string `json:"file"`
	Existed bool   `json:"existed"`
	// Mode is the permission bits the file had when it was fixed, for a
	// person reading the record; undo does not use it.
	Mode     fs.FileMode `json:"mode"`
	Original string      `json:"original_sha256"`
	Fixed    string      `json:"fixed_sha256"`
	FixedAt  time.Time   `json:"fixed_at"`
	Key      string      `json:"key,omitempty"`
	Value    string      `json:"value,omitempty"`
}

// BackupFor names where a fix of f will keep its backup, if no other fix
// comes first.
func BackupFor(f *File) Backup { return nextBackup(resolveTarget(f.Target)) }

// Apply takes the lock on the .env (see Lock) and writes the plan.
func Apply(p *Plan) (Backup, error) {
	if p.Empty() {
		return nextBackup(p.File.Target), nil
	}
	l, err := LockEnv(p.File.Target)
	if err != nil {
		return Backup{}, err
	}
	defer l.Unlock()
	return l.Apply(p)
}

// Apply writes the plan under the lock l. It refuses, writing nothing, when
// the file is no longer exactly the one planned on (bytes and identity), or
// when the result would pass MaxFileSize. Otherwise it keeps a backup and an
// undo record (the step after the last), then puts the new content in the
// file's place with the file's current owner, permission bits and access
// list; a change another program makes meanwhile is kept and the fix is
// refused.
func (l *Lock) Apply(p *Plan) (Backup, error) {
	target := p.File.Target
	if err := l.covers(target); err != nil {
		return Backup{}, err
	}
	if p.Empty() {
		return nextBackup(target), nil
	}
	now, err := stillAsPlanned(p, target)
	if err != nil {
		return Backup{}, err
	}
	removeStaleTemps(target)
	acc := privateAccess()
	if now.exists {
		if acc, err = currentAccess(target, p.File.Path, now); err != nil {
			return Backup{}, err
		}
	}
	b := nextBackup(target)
	if err := keepBackup(b, p, now.exists, acc); err != nil {
		return Backup{}, err
	}
	crashPoint(stepBackupWritten)
	tmp, err := stage(target, p.After, acc, p.File.Path)
	if err == nil {
		err = replace(tmp, target, now)
	}
	if err != nil {
		b.remove() // the fix did not happen: no step to undo
		return Backup{}, err
	}
	return b, nil
}

// stillAsPlanned reads the file at target again and returns it, or
// refuses when the result would pass MaxFileSize or the file is no longer
// exactly the one p was planned on (bytes and identity).
func stillAsPlanned(p *Plan, target string) (snapshot, error) {
	if len(p.After) > MaxFileSize {
		return snapshot{}, errGrowsTooLarge(p.File.Path)
	}
	now, err := takeSnapshot(target)
	if err != nil {
		return now, fmt.Errorf("cannot read %s again before changing it (%w): check it and try again", p.File.Path, err)
	}
	if now.exists != p.File.Exists || !bytes.Equal(now.content, p.Before) ||
		(p.File.info != nil && !sameIdentity(p.File.info, now.info)) {
		return now, fmt.Errorf("%s changed on disk since the change was planned: check it again before fixing: %w", p.File.Path, ErrChanged)
	}
	return now, nil
}

// currentAccess is the access the file at target (shown as path) has now,
// as the snapshot now found it.
func currentAccess(target, path string, now snapshot) (access, error) {
	fh, err := openNoFollow(target)
	if err != nil {
		return access{}, fmt.Errorf("cannot open %s (%w): check its permissions", path, err)
	}
	acc, err := accessOf(fh, now.info)
	fh.Close()
	if err != nil {
		return access{}, fmt.Errorf("%w: Localguard changed nothing", err)
	}
	return acc, nil
}

// keepBackup writes, before the fix p, the backup of the file (when it
// existed) with its access acc, and the undo record, private to its
// owner. Nothing is left of either when one fails.
func keepBackup(b Backup, p *Plan, existed bool, acc access) error {
	rec := undoRecord{
		File: p.File.Target, Existed: existed, Mode: acc.mode,
		Original: digest(p.Before), Fixed: digest(p.After), FixedAt: time.Now().UTC(),
		Key: p.Key, Value: p.Value,
	}
	if existed {
		if err := writeAtomic(b.Path, p.Before, acc, "the backup"); err != nil {
			return fmt.Errorf("keeping a backup of %s: %w", p.File.Path, err)
		}
	}
	js, _ := json.MarshalIndent(rec, "", "  ")
	recAccess := access{mode: 0o600, owner: acc.owner}
	if err := writeAtomic(b.Record, append(js, '\n'), recAccess, "the undo record"); err != nil {
		os.Remove(b.Path)
		return fmt.Errorf("keeping the undo record of %s: %w", p.File.Path, err)
	}
	return nil
}

// errGrowsTooLarge is the refusal of a change whose result would pass
// MaxFileSize, which Localguard could then not read back.
func errGrowsTooLarge(path string) error {
	return fmt.Errorf("%s would grow past the 1 MiB limit with this change, and Localguard would then refuse to read it back: shorten the file or edit it by hand: %w", path, ErrTooLarge)
}

// Undo takes the lock on the .env at path and undoes the last fix.
func Undo(path string) error {
	l, err := LockEnv(path)
	if err != nil {
		return err
	}
	defer l.Unlock()
	return l.Undo(path)
}

// Undo puts back the exact bytes the file had before the last fix, under
// the lock l, and removes that fix's backup; the fix before it can then be
// undone in turn. The file keeps the owner, permission bits (never setuid,
// setgid or sticky) and access list it has now. It refuses, changing
// nothing, when there is no fix to undo, when the file was changed since
// the fix, or when the backup or record is not a regular file within the
// size limit.
func (l *Lock) Undo(path string) error {
	target := resolveTarget(path)
	if err := l.covers(target); err != nil {
		return err
	}
	now, err := takeSnapshot(target)
	if err != nil {
		return fmt.Errorf("cannot read %s (%w): check it before undoing", path, err)
	}
	steps := history(target)
	for i := len(steps) - 1; i >= 0; i-- {
		b := steps[i]
		rec, err := readRecord(b)
		if err != nil {
			return err
		}
		cur := digest(now.content)
		switch {
		case now.exists && rec.Existed && cur == rec.Original && rec.Original != rec.Fixed:
			// This fix never reached the file (it was interrupted): it is
			// no step to undo.
			b.remove()
			continue
		case !now.exists && !rec.Existed:
			b.remove()
			continue
		case !now.exists || cur != rec.Fixed:
			return fmt.Errorf("%s was changed after Localguard fixed it, so undo would lose those changes: compare it with %s and edit it by hand: %w", path, b.Path, ErrChanged)
		}
		if err := restore(target, path, now, b, rec); err != nil {
			return err
		}
		b.remove()
		return nil
	}
	return fmt.Errorf("there is nothing to undo: Localguard has no fix of %s to put back: %w", path, ErrNothingToUndo)
}

// restore puts back the bytes b kept, or removes the file a fix created.
func restore(target, path string, now snapshot, b Backup, rec undoRecord) error {
	if !rec.Existed {
		return removeIfStill(target, path, now)
	}
	orig, _, err := readRegular(b.Path, MaxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the backup %s is missing, so the original cannot be put back: restore %s by hand; nothing was changed", b.Path, path)
	case errors.Is(err, ErrNotRegular), errors.Is(err, ErrTooLarge):
		return fmt.Errorf("the backup %s is not a regular file within the 1 MiB limit, so Localguard will not read it: restore %s by hand; nothing was changed", b.Path, path)
	case err != nil:
		return fmt.Errorf("cannot read the backup %s (%v): check its permissions; %s was not changed", b.Path, err, path)
	case digest(orig) != rec.Original:
		return fmt.Errorf("the backup %s does not hold the bytes Localguard kept, so it will not put it back: restore %s by hand; nothing was changed", b.Path, path)
	}
	acc, err := currentAccess(target, path, now)
	if err != nil {
		return err
	}
	tmp, err := stage(target, orig, acc, path)
	if err != nil {
		return err
	}
	return replace(tmp, target, now)
}

// removeIfStill removes the file a fix created, unless it changed since
// now was taken: it is first moved aside, checked there, and moved back if
// it changed.
func removeIfStill(target, path string, now snapshot) error {
	aside := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".localguard-undo.tmp")
	if err := os.Rename(target, aside); err != nil {
		return fmt.Errorf("cannot remove %s (%w): check that the folder is writable", path, err)
	}
	if !now.still(aside) {
		if err := os.Link(aside, target); err == nil {
			os.Remove(aside)
		}
		return errChangedWhileWriting(path)
	}
	os.Remove(aside)
	settle(target)
	return nil
}

// readRecord reads an undo record: a regular file (no link, no FIFO) of at
// most maxRecordSize bytes, holding JSON.
func readRecord(b Backup) (undoRecord, error) {
	var rec undoRecord
	js, _, err := readRegular(b.Record, maxRecordSize)
	switch {
	case errors.Is(err, ErrNotRegular), errors.Is(err, ErrTooLarge):
		return rec, fmt.Errorf("the undo record %s is not a regular file of at most %d KiB, so Localguard will not read it: remove it, and restore the .env by hand from %s if needed; nothing was changed", b.Record, maxRecordSize>>10, b.Path)
	case err != nil:
		return rec, fmt.Errorf("cannot read the undo record %s (%w): check its permissions; nothing was changed", b.Record, err)
	}
	if err := json.Unmarshal(js, &rec); err != nil {
		return rec, fmt.Errorf("the undo record %s is damaged (%v): restore the .env by hand from %s; nothing was changed", b.Record, err, b.Path)
	}
	return rec, nil
}

// UndoAvailable reports whether Localguard fixed the file at path and can
// put it back: an undo record is there.
func UndoAvailable(path string) bool { return UndoSteps(path) > 0 }

// UndoSteps is how many fixes of the file at path can be undone, one at a
// time.
func UndoSteps(path string) int { return len(history(resolveTarget(path))) }

// ForgetBackups removes every backup and undo record of the file at path,
// as the user asked; the file itself is not touched, and its fixes can no
// longer be undone. It reports how many fixes were forgotten.
func ForgetBackups(path string) (int, error) {
	l, err := LockEnv(path)
	if err != nil {
		return 0, err
	}
	defer l.Unlock()
	steps := history(l.Target)
	for _, b := range steps {
		for _, p := range []string{b.Record, b.Path} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return 0, fmt.Errorf("cannot remove %s (%w): check that the folder is writable", p, err)
			}
		}
	}
	return len(steps), nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
