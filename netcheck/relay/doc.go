// Package relay finds the local processes that may pass FlowMeter on: the
// relay programs Localguard knows by their command lines (socat, ssh -L/-R,
// nginx and Vite by their configurations, kubectl port-forward,
// cloudflared, ngrok, container port publishers), any process the kernel
// shows connected to one of FlowMeter's ports, and any listener on a port
// that is never asked (Scanner.NotAsked: raw printing, industrial control)
// whose process names FlowMeter's port on its command line or in a file it
// names.
//
// What it finds are hints: a proxy is a relay of FlowMeter only once what
// its socket serves says so, and that is decided in netcheck, which asks
// it and judges the verdict. This package reads the machine through
// netcheck/system and never sends a byte to anything.
//
// The Scanner is meant to be kept across polls: it reads each process's
// command line once, and remembers a process seen connected to FlowMeter
// for as long as it lives (a proxy holds no connection between requests).
package relay
