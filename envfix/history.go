package envfix

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Backup is what one fix keeps next to the .env so that Undo can put the
// exact bytes back: a copy of the file as it was before that fix (with the
// file's access) and a small record of what was written.
//
// Every fix keeps its own: the n-th fix of ".env" keeps
// ".env.localguard-backup-n" and ".env.localguard-undo-n.json". Undo steps
// back one fix at a time, the newest first, and removes the pair it used;
// the oldest backup is the file as it was before Localguard first changed
// it. Backups are removed only by an undo that used them or by
// ForgetBackups, when the user asks.
type Backup struct {
	// Path is the copy of the file before the fix. A fix that created the
	// .env has none: Path is then named but never written.
	Path string
	// Record is the undo record.
	Record string
	// Step is the fix's number, from 1; 0 is a backup kept by Localguard
	// versions that kept only one (".env.localguard-backup").
	Step int
}

// The names of backups and records, after the .env's own name.
const (
	backupInfix = ".localguard-backup"
	recordInfix = ".localguard-undo"
)

// backupAt names the backup of step n of the file at target.
func backupAt(target string, n int) Backup {
	if n == 0 {
		return Backup{Path: target + backupInfix, Record: target + recordInfix + ".json"}
	}
	s := strconv.Itoa(n)
	return Backup{Path: target + backupInfix + "-" + s, Record: target + recordInfix + "-" + s + ".json", Step: n}
}

// history lists the fixes of the file at target that can be undone, the
// oldest first: every step with an undo record.
func history(target string) []Backup {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var steps []int
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), base+recordInfix)
		if !ok || !strings.HasSuffix(name, ".json") {
			continue
		}
		name = strings.TrimSuffix(name, ".json")
		if name == "" {
			steps = append(steps, 0)
			continue
		}
		digits, ok := strings.CutPrefix(name, "-")
		if n, err := strconv.Atoi(digits); ok && err == nil && n > 0 && strconv.Itoa(n) == digits {
			steps = append(steps, n)
		}
	}
	slices.Sort(steps)
	out := make([]Backup, len(steps))
	for i, n := range steps {
		out[i] = backupAt(target, n)
	}
	return out
}

// nextBackup names where the next fix of target keeps its backup.
func nextBackup(target string) Backup {
	h := history(target)
	if len(h) == 0 {
		return backupAt(target, 1)
	}
	return backupAt(target, h[len(h)-1].Step+1)
}

// remove deletes the backup and its record once undo has used them.
func (b Backup) remove() {
	os.Remove(b.Record)
	os.Remove(b.Path)
}
