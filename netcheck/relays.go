package netcheck

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"localguard/netcheck/ask"
	fmrelay "localguard/netcheck/relay"
	"localguard/netcheck/system"
)

// The kinds of relay, in the words of the JSON contract.
const (
	RelayProxy     = RelayKind(fmrelay.Proxy)
	RelayTunnel    = RelayKind(fmrelay.Tunnel)
	RelayContainer = RelayKind(fmrelay.Container)
)

// SeenBy is what showed a relay.
type SeenBy string

// What shows a relay.
const (
	// SeenConnection: the system saw it connected to FlowMeter's port.
	SeenConnection = SeenBy(fmrelay.ByConnection)
	// SeenCommandLine: its command line names FlowMeter's port, or it is
	// asked through its own address (a container's publisher, Vite,
	// kubectl).
	SeenCommandLine = SeenBy(fmrelay.ByCommandLine)
	// SeenConfig: its configuration (nginx's proxy_pass, Vite's proxy)
	// names the port; for a listener, an install's .env names its port.
	SeenConfig = SeenBy(fmrelay.ByConfig)
	// SeenAnswer: the socket itself answered GET /api/info with
	// FlowMeter's shape (for a relay: through its own address).
	SeenAnswer SeenBy = "answer"
	// SeenContainer: a container runtime's port publisher holds it.
	SeenContainer SeenBy = "container"
	// SeenFolder: its process runs in (or names) a FlowMeter backend folder.
	SeenFolder SeenBy = "folder"
)

// addSeen adds what showed something to a list, once.
func addSeen(list []SeenBy, by ...SeenBy) []SeenBy {
	for _, b := range by {
		if b != "" && !slices.Contains(list, b) {
			list = append(list, b)
		}
	}
	return list
}

// RelayKind is how a relay passes FlowMeter on: a proxy listens here, a
// tunnel carries the port elsewhere, a container publishes it.
type RelayKind string

// RelayFacts is a local process that passes FlowMeter on: it connects to
// one of FlowMeter's listening ports and listens beyond loopback itself (a
// proxy), or carries the port to another host (a tunnel).
type RelayFacts struct {
	// Owner is the relay process: the one that holds the listening socket
	// (socat's parent, nginx's master), or the tunnel.
	Owner *Owner
	// Program is what it is: socat, ssh, vite, nginx, kubectl, cloudflared,
	// ngrok, or the process's name when only the kernel's connections tell.
	Program string
	Kind    RelayKind
	// Socket is a proxy's listening socket beyond loopback; zero for a
	// tunnel.
	Socket system.Socket
	// TargetPort is FlowMeter's port it passes on, 0 when unknown.
	TargetPort int
	// Remote is a tunnel's far end (host:port).
	Remote string
	// ForwardedPort is the port a tunnel opens on the far end (ssh -R's),
	// 0 when unknown.
	ForwardedPort int
	// Confirmed is true when GET /api/info through the relay's own
	// address answered with FlowMeter's shape: the proof.
	Confirmed bool
	// Unchecked is true when the relay is known to pass FlowMeter's port
	// on (its connections or command line say so) but did not answer in
	// time.
	Unchecked bool
	// NotAsked is why it was not asked, when its port is one Localguard
	// never connects to (see ask.NeverSend): its holder's command line or
	// configuration names FlowMeter's port, "" otherwise.
	NotAsked string
	// Seen says what showed the relay first; SeenBy everything that did
	// (the answer, the connection, the command line...).
	Seen   SeenBy
	SeenBy []SeenBy
	// StartedBy is the name of the relay's parent process, "" unknown.
	StartedBy string
	// Unrecognised is true when the relay's program is on no list of
	// Localguard's: only its answer and its connection showed it.
	Unrecognised bool
	// HostName is the name (Host header) a neighbour asks for to get
	// FlowMeter through it, "" when its address is enough; Late is true
	// when its answer did not come in time and the connection it opened
	// to FlowMeter's port while asked proves it; UncheckedWhy says why an
	// unchecked relay cannot be told (see servedAnswer.Unsure).
	HostName, UncheckedWhy string
	Late                   bool
	// Frontend is Vite's folder (its working folder), "" for others.
	Frontend string
	// Source is the file that puts the relay on the network when
	// Localguard can fix it there (package.json, vite.config.*), "".
	Source string
	// Answered holds the addresses a connect succeeded on, among those
	// ReachableAddrs lists for Socket.
	Answered map[netip.Addr]bool
	// Firewall is the host firewall's decision for each network and
	// address it answered on.
	Firewall FirewallAnswers

	// start is the relay process's start time when it was found, to stop
	// only that process.
	start uint64
}

// relayScanner finds relays again and again (see fmrelay.Scanner) and asks
// each proxy it found what it serves: a proxy is FlowMeter's relay when
// the answer has FlowMeter's shape.
type relayScanner struct {
	mu      sync.Mutex
	scan    fmrelay.Scanner
	answers map[system.Socket]identityAnswer
	// connsErr is why the last find could not list the connections.
	connsErr error
	// servedID, when set, is what the sockets a neighbour can reach
	// answered this check (see servedScanner), so they are not asked again.
	servedID func(system.Socket) (Identity, bool)
}

// known is what a socket answered this check, when it was asked already.
func (r *relayScanner) known(s system.Socket) (Identity, bool) {
	if r.servedID == nil {
		return IdentityUnknown, false
	}
	return r.servedID(s)
}

// find returns the relays of FlowMeter's sockets fm, among the listening
// sockets listening, reading the machine through sys (the Scanner's: on
// systems other than Linux it knows which process holds which listening
// socket from the Scanner's last listing).
func (r *relayScanner) find(ctx context.Context, fm []FlowMeterSocket, listening []system.Socket, sys system.Reader, own func(netip.Addr) bool, known map[int32][]string, listed []int32) []RelayFacts {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scan.Listed = listed
	if r.scan.NotAsked == nil {
		r.scan.NotAsked = ask.NeverSend
	}
	found, err := r.scan.Find(sys, relayTargets(fm), listening, own, known)
	r.connsErr = err
	in := make([]RelayFacts, len(found))
	for i, f := range found {
		in[i] = relayFactsOf(f)
	}
	return r.prove(ctx, in)
}

// relayTargets are the FlowMeter sockets a relay may connect to: those
// FlowMeter's answers confirmed, on this computer.
func relayTargets(fm []FlowMeterSocket) []fmrelay.Target {
	var out []fmrelay.Target
	for _, f := range fm {
		if f.Foreign || f.Unchecked {
			continue
		}
		t := fmrelay.Target{Port: f.Port, Inode: f.Inode}
		if f.Owner != nil {
			t.PID = f.Owner.PID
		}
		out = append(out, t)
	}
	return out
}

// relayFactsOf is a relay as the scan found it, with its Owner and, for
// Vite, its folder and the file that puts it on the network.
func relayFactsOf(f fmrelay.Found) RelayFacts {
	o := &Owner{PID: f.PID, Name: f.Name, Args: f.Args, Cmdline: strings.Join(f.Args, " "), Cwd: f.Cwd, Start: StartUnknown}
	if f.Vite {
		o.Start = StartVite
		o.HostFlag, o.HostFlagSet = f.HostFlag, f.HostFlagSet
	}
	rf := RelayFacts{Owner: o, Program: f.Program, Kind: RelayKind(f.Kind), Socket: f.Socket, TargetPort: f.TargetPort,
		Remote: f.Remote, ForwardedPort: f.ForwardedPort, Confirmed: f.Confirmed, Seen: SeenBy(f.Seen), start: f.Start}
	if f.Program == "vite" {
		rf.Frontend = o.Cwd
		if !f.OtherRoot {
			rf.Source = viteSource(o.Cwd, f.HostFlagSet)
		}
	}
	return rf
}

// prove asks GET /api/info through each proxy's own address (only this
// computer's), all at once: a relay is FlowMeter's when the answer has
// FlowMeter's shape. A proxy that answers as something else is dropped;
// one that does not answer in time is kept unchecked when its connections
// or command line tie it to FlowMeter's port.
func (r *relayScanner) prove(ctx context.Context, in []RelayFacts) []RelayFacts {
	ids := r.ask(ctx, in)
	now := time.Now()
	var out []RelayFacts
	for i, f := range in {
		if f.Kind == RelayTunnel {
			out = append(out, f)
			continue
		}
		if _, ok := r.answers[f.Socket]; !ok && ids[i] != IdentityUnknown && ctx.Err() == nil {
			r.answers[f.Socket] = identityAnswer{id: ids[i], at: now}
		}
		switch {
		case ids[i] == IdentityFlowMeter:
			f.Confirmed = true
		case ids[i] == IdentityUnknown && f.TargetPort != 0:
			f.Unchecked = true
			if reason, never := ask.NeverSend(f.Socket.Port); never {
				f.NotAsked = reason
			}
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// ask is what each proxy answers (a tunnel is not asked): from memory
// when it answered as FlowMeter, or anything within recheckPending; the
// others are asked all at once. The answers of sockets no longer asked
// about are forgotten.
func (r *relayScanner) ask(ctx context.Context, in []RelayFacts) []Identity {
	ids := make([]Identity, len(in))
	kept := map[system.Socket]identityAnswer{}
	for _, f := range in {
		if a, ok := r.answers[f.Socket]; ok && f.Kind != RelayTunnel && (a.id == IdentityFlowMeter || time.Since(a.at) < recheckPending) {
			kept[f.Socket] = a
		}
	}
	r.answers = kept
	var wg sync.WaitGroup
	for i, f := range in {
		if f.Kind == RelayTunnel {
			continue
		}
		if a, ok := r.answers[f.Socket]; ok {
			ids[i] = a.id
			continue
		}
		if id, ok := r.known(f.Socket); ok {
			// Asked already, as every socket a neighbour can reach is.
			ids[i] = id
			continue
		}
		wg.Go(func() { ids[i] = IdentifyFlowMeter(ctx, probeAddr(f.Socket), f.Socket.Port, identifyRetryTimeout) })
	}
	wg.Wait()
	return ids
}

// err is why the last scan could not list the connections, nil when it
// could.
func (r *relayScanner) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.connsErr
}

// inodeSet is a set of socket inodes.
func inodeSet(inodes []uint64) map[uint64]bool {
	set := make(map[uint64]bool, len(inodes))
	for _, ino := range inodes {
		set[ino] = true
	}
	return set
}

// ownAddrsOf is a test of whether an address is this computer's, from the
// interfaces a check already listed (loopback always is).
func ownAddrsOf(ifaces []Interface) func(netip.Addr) bool {
	set := map[netip.Addr]bool{}
	for _, it := range ifaces {
		for _, a := range it.Addrs {
			set[a.Prefix.Addr().Unmap().WithZone("")] = true
		}
	}
	return func(a netip.Addr) bool {
		a = a.Unmap().WithZone("")
		return a.IsLoopback() || set[a]
	}
}
