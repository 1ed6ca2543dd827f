package netcheck

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"localguard/netcheck/ask"
	fmrelay "localguard/netcheck/relay"
	"localguard/netcheck/system"
)

// servedFacts asks every socket a neighbour can reach that the scan did
// not find as FlowMeter (see servedScanner), and returns what serves
// FlowMeter: the FlowMeters found that are FlowMeter's own (kept), those
// no hint led to (a launcher Localguard does not recognise, a relay's far
// end), and the relays, each proven by the FlowMeter answer it passed on.
// A socket the scan found only by its answer and its folder (a Python
// proxy started in FlowMeter's backend/) is traced too: when its answer
// comes through a connection onward, it is a relay, not FlowMeter.
func (c *Checker) servedFacts(ctx context.Context, found []FlowMeterSocket, ifaces []Interface) (kept, more []FlowMeterSocket, relays []RelayFacts) {
	sys := c.scanner.reader()
	if sys == nil {
		return found, nil, nil
	}
	inodes, traced := map[uint64]bool{}, map[uint64]bool{}
	for _, f := range found {
		inodes[f.Inode] = true
		if answerOnly(f) {
			traced[f.Inode] = true
		}
	}
	listening := c.scanner.Sockets()
	r := servedRound{listening: listening, own: ownAddrsOf(ifaces), via: neighbourVia(ifaces), found: without(inodes, traced), asked: c.scanner.askedOther, sys: sys,
		args: c.scanner.commandLines()}
	for _, f := range found {
		r.fm = append(r.fm, f.Socket)
	}
	var fms []FlowMeterSocket
	relayed := map[uint64]bool{}
	for _, sv := range c.served.find(ctx, r) {
		if traced[sv.sock.Inode] && sv.target == 0 {
			continue // FlowMeter's own, found already
		}
		relayed[sv.sock.Inode] = traced[sv.sock.Inode] && sv.target != 0
		if sv.unsure != "" {
			relays = append(relays, unsureRelay(sys, sv))
			continue
		}
		if sv.target == 0 {
			fms = append(fms, c.scanner.servedFlowMeter(ctx, sv.sock, sv.holder, SeenAnswer))
			inodes[sv.sock.Inode] = true
			continue
		}
		relays = append(relays, servedRelay(sys, sv))
		t := sv.targetSock
		if inodes[t.Inode] || IdentifyFlowMeter(ctx, probeAddr(t), t.Port, servedTimeout) != IdentityFlowMeter {
			continue
		}
		// The relay's far end, found by the relay's connection to it and
		// its own answer (it served what the relay passed on).
		fms = append(fms, c.scanner.servedFlowMeter(ctx, t, holderOf(sys, t), SeenAnswer, SeenConnection))
		inodes[t.Inode] = true
	}
	c.relays.mu.Lock()
	c.relays.servedID = func(l system.Socket) (Identity, bool) { return c.served.identity(l, sys) }
	c.relays.mu.Unlock()
	for _, f := range found {
		if !relayed[f.Inode] {
			kept = append(kept, f)
		}
	}
	return kept, fms, relays
}

// answerOnly reports whether the scan found a socket as FlowMeter by its
// answer alone, its process not started as FlowMeter is (its folder, a
// Python interpreter): such an answer may be passed on from FlowMeter's
// port, so the socket is traced as the served sockets are.
func answerOnly(f FlowMeterSocket) bool {
	return f.Confirmed && !f.Evidence && !f.Foreign && !f.Unchecked && !f.Addr.IsLoopback()
}

// without is set a without the keys of b.
func without(a, b map[uint64]bool) map[uint64]bool {
	out := make(map[uint64]bool, len(a))
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// servedRelay is a traced socket that passes FlowMeter on, as a relay:
// proven by the answer it passed on, or, when that was late, by the
// connection it opened to FlowMeter's port while asked.
func servedRelay(sys system.Reader, sv served) RelayFacts {
	rf := RelayFacts{Kind: RelayProxy, Socket: sv.sock, TargetPort: sv.target, Confirmed: true,
		Seen: SeenAnswer, SeenBy: []SeenBy{SeenAnswer, SeenConnection}, HostName: sv.host, Late: sv.late}
	if sv.late {
		rf.Seen, rf.SeenBy = SeenConnection, []SeenBy{SeenConnection}
	}
	return withHolder(sys, rf, sv.holder)
}

// unsureRelay is a socket that may pass FlowMeter on for a name it was
// not asked for, or whose late answer cannot be told: unchecked (status
// error), never safe.
func unsureRelay(sys system.Reader, sv served) RelayFacts {
	rf := RelayFacts{Kind: RelayProxy, Socket: sv.sock, TargetPort: sv.target, Unchecked: true, UncheckedWhy: sv.unsure,
		Seen: SeenConfig, SeenBy: []SeenBy{SeenConfig}, Late: sv.late}
	if sv.late {
		rf.Seen, rf.SeenBy = SeenConnection, []SeenBy{SeenConnection}
	}
	return withHolder(sys, rf, sv.holder)
}

// withHolder names the relay's process.
func withHolder(sys system.Reader, rf RelayFacts, holder int32) RelayFacts {
	if holder == 0 {
		rf.Program = "a process of another user"
		return rf
	}
	args := sys.Args(holder)
	o := &Owner{PID: holder, Args: args, Cmdline: strings.Join(args, " "), Cwd: sys.Cwd(holder), Start: StartUnknown}
	if st, err := sys.Stat(holder); err == nil {
		o.Name = st.Name
		rf.start = st.Start
		if pst, err := sys.Stat(st.PPID); err == nil && st.PPID > 1 {
			rf.StartedBy = pst.Name
		}
	}
	if o.Name == "" && len(args) > 0 {
		o.Name = baseName(args[0])
	}
	rf.Owner = o
	rf.Program = o.Name
	if prog := fmrelay.Program(args); prog != "" {
		rf.Program = prog
	} else {
		rf.Unrecognised = true
	}
	return rf
}

// servedRelayFacts gives each relay found by its answer the addresses it
// answers on.
func (c *Checker) servedRelayFacts(ctx context.Context, in []RelayFacts, ifaces []Interface) []RelayFacts {
	for i := range in {
		in[i].Answered = c.answered(ctx, in[i].Socket, ifaces)
	}
	return in
}

// mergeRelays adds the relays found by their answers to those found by
// their programs and connections: one relay per socket, which says every
// way it was found.
func mergeRelays(byProgram, byAnswer []RelayFacts) []RelayFacts {
	out := byProgram
	for _, a := range byAnswer {
		i := slices.IndexFunc(out, func(r RelayFacts) bool {
			return r.Kind != RelayTunnel && r.Socket.Inode == a.Socket.Inode && r.Socket.Port == a.Socket.Port
		})
		switch {
		case i < 0:
			out = append(out, a)
			continue
		case a.Unchecked:
			mergeUnsure(&out[i], a)
			continue
		}
		out[i].SeenBy = addSeen(addSeen(out[i].SeenBy, out[i].Seen), a.SeenBy...)
		out[i].Confirmed, out[i].Unchecked = true, false
		if out[i].Program == a.Program {
			out[i].Unrecognised = out[i].Unrecognised || a.Unrecognised
		}
		if out[i].StartedBy == "" {
			out[i].StartedBy = a.StartedBy
		}
		if out[i].TargetPort == 0 {
			out[i].TargetPort = a.TargetPort
		}
		out[i].HostName, out[i].Late = cmp.Or(out[i].HostName, a.HostName), out[i].Late || a.Late
	}
	return out
}

// mergeUnsure keeps a relay found unchecked by its answer unchecked, with
// the reason, unless its program's own check confirmed it.
func mergeUnsure(r *RelayFacts, a RelayFacts) {
	r.SeenBy = addSeen(addSeen(r.SeenBy, r.Seen), a.SeenBy...)
	if r.Confirmed {
		return
	}
	r.Unchecked, r.UncheckedWhy = true, a.UncheckedWhy
	if r.TargetPort == 0 {
		r.TargetPort = a.TargetPort
	}
}

// identity is what a socket answered when asked this check or earlier in
// its life; false when it was not asked (a loopback socket).
func (s *servedScanner) identity(l system.Socket, sys system.Reader) (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[socketIdentity(l, sys)]
	switch {
	case !ok:
		return IdentityUnknown, false
	case a.FlowMeter:
		return IdentityFlowMeter, true
	case a.Unsure != "":
		// Asked, and it cannot be told: unchecked, not asked again.
		return IdentityUnknown, true
	case a.Kind == ask.Unanswered || a.Kind == ask.Skipped:
		return IdentityUnknown, false
	}
	return IdentityOther, true
}
