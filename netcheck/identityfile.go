package netcheck

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"localguard/envfix"
	"localguard/netcheck/system"
)

// What a one-shot check keeps of the Scanner's answers for the next one:
// the sockets that answered GET /api/info as FlowMeter, by socket identity
// (see socketIdentity: the kernel's socket cookie within one boot on
// Linux; the holder's pid and creation time with the address elsewhere).
// A later check takes such a socket as FlowMeter while it lives, as a
// watching Scanner does in memory, without asking it again (and without
// the greeting wait asking costs). Only FlowMeter answers are kept: a kept
// answer can only make a socket FlowMeter, never safe; every other answer
// is asked again, as before.

// identityFile is the file's content.
type identityFile struct {
	Boot string `json:"boot"`
	// FlowMeter are the identities of the sockets that answered as
	// FlowMeter, with when they did.
	FlowMeter map[string]time.Time `json:"flowmeter"`
}

// identitiesFile is where the Scanner keeps them, beside the kept answers
// of the sockets a neighbour can reach ("" keeps nothing).
func identitiesFile(answers string) string {
	if answers == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(answers), "flowmeter-sockets.json")
}

// keptIdentities is the Scanner's side of the file: loaded once, saved
// when what it holds changed.
type keptIdentities struct {
	file   string
	loaded bool
	boot   string
	// flowMeter are the identities read or to be written.
	flowMeter map[string]time.Time
}

// keep makes the Scanner keep its FlowMeter answers in file ("" in memory
// only).
func (s *Scanner) keep(file string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = keptIdentities{file: file}
}

// load reads the file once; one of another boot, or unreadable, is as
// none.
func (k *keptIdentities) load() {
	if k.loaded || k.file == "" {
		return
	}
	k.loaded = true
	k.boot = system.BootID()
	k.flowMeter = map[string]time.Time{}
	b, err := envfix.ReadFile(k.file)
	if err != nil {
		return
	}
	var f identityFile
	if json.Unmarshal(b, &f) != nil || f.Boot != k.boot {
		return
	}
	maps.Copy(k.flowMeter, f.FlowMeter)
}

// recallKept gives the candidates kept as FlowMeter their answer, unless the
// Scanner holds one of its own already.
func (s *Scanner) recallKept(cands []candidate) {
	s.kept.load()
	if len(s.kept.flowMeter) == 0 {
		return
	}
	for _, c := range cands {
		if _, ok := s.answers[c.sock]; ok || c.foreign {
			continue
		}
		if at, ok := s.kept.flowMeter[socketIdentity(c.sock, s.sys)]; ok {
			if s.answers == nil {
				s.answers = map[system.Socket]identityAnswer{}
			}
			s.answers[c.sock] = identityAnswer{id: IdentityFlowMeter, http: true, at: at}
		}
	}
}

// saveKept writes the candidates that answered as FlowMeter when one is
// not in the file yet (the identities of sockets gone are dropped then; a
// socket gone alone writes nothing: its cookie never comes back, and a
// write, synced to disk, would delay the verdict of a watch). A failure to
// write costs the next check one question.
func (s *Scanner) saveKept(cands []candidate) {
	if s.kept.file == "" {
		return
	}
	now, added := map[string]time.Time{}, false
	for _, c := range cands {
		if a, ok := s.answers[c.sock]; ok && a.id == IdentityFlowMeter {
			id := socketIdentity(c.sock, s.sys)
			now[id] = a.at
			if _, ok := s.kept.flowMeter[id]; !ok {
				added = true
			}
		}
	}
	if !added {
		return
	}
	s.kept.flowMeter = now
	b, err := json.Marshal(identityFile{Boot: s.kept.boot, FlowMeter: now})
	if err != nil || os.MkdirAll(filepath.Dir(s.kept.file), 0o700) != nil {
		return
	}
	envfix.WriteFileAtomic(s.kept.file, b, 0o600)
}

// keptSockets lists the identities kept as FlowMeter, sorted.
func (k *keptIdentities) keptSockets() []string {
	return slices.Sorted(maps.Keys(k.flowMeter))
}
