package relay

import "localguard/netcheck/system"

// Kind is how a relay passes FlowMeter on: a proxy listens here, a tunnel
// carries the port elsewhere, a container publishes it. The values are the
// JSON contract's words.
type Kind string

// The kinds of relay.
const (
	Proxy     Kind = "proxy"
	Tunnel    Kind = "tunnel"
	Container Kind = "container"
)

// Seen is what showed a relay, in the JSON contract's words (seen_by).
type Seen string

// What shows a relay here.
const (
	// ByConnection: the kernel showed it connected to FlowMeter's port.
	ByConnection Seen = "connection"
	// ByCommandLine: its command line names FlowMeter's port, or it is to
	// be asked through its own address (a container's publisher, Vite,
	// kubectl).
	ByCommandLine Seen = "command-line"
	// ByConfig: its configuration (nginx's proxy_pass, Vite's proxy) names
	// the port.
	ByConfig Seen = "config"
)

// Target is one of FlowMeter's listening sockets: what a relay connects to.
type Target struct {
	Port  int
	Inode uint64
	// PID is the FlowMeter process, which is never its own relay; 0 when
	// unknown.
	PID int32
}

// Found is a process that may pass FlowMeter on, as the scan found it. A
// proxy is not proven yet: whoever asks decides by what its Socket answers.
type Found struct {
	// PID is the process that holds the listening socket (socat's parent,
	// nginx's master), or the tunnel; Args, Name, Cwd and Start are
	// what the system shows of it ("" or nil when it may not be read).
	PID   int32
	Args  []string
	Name  string
	Cwd   string
	Start uint64
	// Program is what it is: socat, ssh, vite, nginx, kubectl,
	// cloudflared, ngrok, or the process's name when only the kernel's
	// connections tell.
	Program string
	Kind    Kind
	// Socket is a proxy's listening socket beyond loopback; zero for a
	// tunnel.
	Socket system.Socket
	// TargetPort is FlowMeter's port it passes on, 0 when unknown.
	TargetPort int
	// Remote is a tunnel's far end (host:port); ForwardedPort the port a
	// tunnel opens there (ssh -R's), 0 when unknown.
	Remote        string
	ForwardedPort int
	// Confirmed is true for a tunnel, proven by its connection to the far
	// end.
	Confirmed bool
	// Seen is what showed it.
	Seen Seen
	// Vite is true when the holder is a Vite dev server; HostFlag and
	// HostFlagSet are its --host (kubectl's --address, a publisher's
	// -host-ip).
	Vite        bool
	HostFlag    string
	HostFlagSet bool
	// OtherRoot is true when the holder sees other files than Localguard
	// (a container's): its folder may not be fixed from here.
	OtherRoot bool
}
