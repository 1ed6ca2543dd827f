package netcheck

import (
	"encoding/json"
	"os"
	"path/filepath"

	"localguard/envfix"
	"localguard/netcheck/system"
)

// servedFile is what a run keeps of the answers for the next one: the
// answers that are not FlowMeter, by socket identity, with the boot they
// hold for and the sockets that listened then (see servedScanner.refresh).
type servedFile struct {
	// Version is servedFileVersion: a file of another version was asked
	// differently (before the names were asked: version 0) and is as none.
	Version int                     `json:"version,omitempty"`
	Boot    string                  `json:"boot"`
	Present []string                `json:"present"`
	Answers map[string]servedAnswer `json:"answers"`
	// ConfigFiles and ConfigStamp are the relays' configurations the
	// names were read from and what they were like (see configStamp): a
	// change since drops the HTTP answers. Absent in older files.
	ConfigFiles []string `json:"config_files,omitempty"`
	ConfigStamp string   `json:"config_stamp,omitempty"`
}

// servedFileVersion is the version of the answers this build keeps.
const servedFileVersion = 2

// answersFile is where the command line and the window keep the answers:
// the user's cache folder ("" when there is none: nothing is kept).
func answersFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "localguard", "answers.json")
}

// load reads the answers an earlier run kept, once, when they are of
// this boot; an unreadable or foreign file is as none.
func (s *servedScanner) load() {
	if s.loaded || s.file == "" {
		return
	}
	s.loaded = true
	s.boot = system.BootID()
	b, err := envfix.ReadFile(s.file)
	if err != nil {
		return
	}
	var f servedFile
	if json.Unmarshal(b, &f) != nil || f.Version != servedFileVersion || f.Boot != s.boot || s.boot == "" && f.Boot == "" && len(f.Answers) == 0 {
		return
	}
	s.answers = map[string]servedAnswer{}
	for id, a := range f.Answers {
		a.FlowMeter = false
		s.answers[id] = a
	}
	s.configFiles, s.configStamp = f.ConfigFiles, f.ConfigStamp
	s.present = map[string]bool{}
	for _, id := range f.Present {
		s.present[id] = true
	}
}

// save keeps the answers that are not FlowMeter for the next run; a
// failure only costs the next run some asking.
func (s *servedScanner) save(r servedRound) {
	if s.file == "" {
		return
	}
	f := servedFile{Version: servedFileVersion, Boot: s.boot, Answers: map[string]servedAnswer{}, ConfigFiles: s.configFiles, ConfigStamp: s.configStamp}
	for _, id := range r.ids {
		f.Present = append(f.Present, id)
	}
	for id, a := range s.answers {
		if !a.FlowMeter && a.Unsure == "" {
			f.Answers[id] = a
		}
	}
	b, err := json.Marshal(f)
	if err != nil || os.MkdirAll(filepath.Dir(s.file), 0o700) != nil {
		return
	}
	envfix.WriteFileAtomic(s.file, b, 0o600) // the one atomic writer
}
