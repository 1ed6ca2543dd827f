#!/usr/bin/env bash
# Takes the README's screenshots from the real desktop binary under Xvfb:
# every state and dialog the window shows, each at 800x600 and 600x400, in
# the dark and the light theme, into docs/screens/NAME-WxH-THEME.png. The
# machine is driven for real, from the keyboard as a person without a
# mouse would (Tab to a button, Space or Enter): a FlowMeter-like server
# exposed on every address, the window's own fix (its preview), restart,
# undo, settings, a public address to trust, `localguard fix`/`undo` from
# the command line, an ssh tunnel into a neighbour's sshd, two FlowMeters,
# and a run with none found, where a wrong folder is chosen, then the
# right one.
#   bash testdata/screens/take.sh            (after `make build`)
#   THEMES=dark bash testdata/screens/take.sh (one theme only)
# As root it runs in a network namespace of its own (unshare --net), with
# networks of its own: a LAN (eth0, a veth), Docker's bridge (docker0),
# and, for a while, a public address and a neighbour (a veth pair into a
# second namespace running sshd); the X server runs in it too. Other
# FlowMeters on the machine are then not in the pictures.
# Needs: Xvfb, xdotool, x11-utils, ImageMagick, python3, iproute2,
# util-linux (unshare), openssh-server and -client (for the tunnel).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${LG_SCREENS_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	exec unshare --net -- env LG_SCREENS_NETNS=1 bash "$0" "$@"
fi
bin=$(pwd)/${LOCALGUARD:-localguard}
out=docs/screens
python=/usr/bin/python3
themes=${THEMES:-dark light}
mkdir -p "$out"
work=$(mktemp -d)
work=$(cd "$work" && pwd -P)
peer=lg22-peer-$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	# FlowMeters the window restarted are detached: find them by folder.
	for d in /proc/[0-9]*; do
		case $(readlink "$d/cwd" 2>/dev/null) in "$work"*) kill "${d#/proc/}" 2>/dev/null || true ;; esac
	done
	wait 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# The namespace's own networks: a LAN and Docker's bridge.
netns=
if [ -n "${LG_SCREENS_NETNS:-}" ]; then
	netns=1
	ip link set lo up
	# veth pairs stand for network cards (the other end, with no address,
	# stays here); not every kernel has the dummy module.
	ip link add eth0 type veth peer name eth0-peer
	ip addr add 192.168.1.23/24 dev eth0
	ip link set eth0 up
	ip link set eth0-peer up
	ip link add docker0 type bridge
	ip addr add 172.17.0.1/16 dev docker0
	ip link set docker0 up
else
	echo "screens: not root, so not in a network namespace of its own: the pictures show this machine's networks" >&2
fi

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")

checkout=$work/FlowMeter
backend=$checkout/backend
# make_checkout DIR PORT HOST: a FlowMeter stand-in's checkout.
make_checkout() {
	mkdir -p "$1/backend/app"
	cp testdata/bench/flowmeter_app.py "$1/backend/app/main.py"
	: >"$1/backend/app/__init__.py"
	printf 'APP_NAME=FlowMeter API\nDEBUG=false\nHOST=%s\nPORT=%s\n' "$3" "$2" >"$1/backend/.env"
}
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
fm=
# start_flowmeter [BACKEND PORT]: FlowMeter started in its folder.
start_flowmeter() {
	local dir=${1:-$backend} p=${2:-$port}
	(cd "$dir" && exec env -u HOST -u PORT "$python" -m app.main >>"$work/flowmeter.log" 2>&1) &
	fm=$!
	pids+=($fm)
	for _ in $(seq 50); do "$python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $p), 1)" 2>/dev/null && return; sleep 0.1; done
	echo "screens: FlowMeter did not start" >&2
	exit 1
}
# pidof_flowmeter [PORT]: the pid of the FlowMeter listening on the port.
pidof_flowmeter() {
	ss -Htlnp "sport = :${1:-$port}" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}
stop_flowmeter() {
	local p
	p=$(pidof_flowmeter "${1:-$port}")
	[ -z "$p" ] || kill "$p"
	while [ -n "$(pidof_flowmeter "${1:-$port}")" ]; do sleep 0.1; done
}
environment() { env -u HOST -u PORT HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus" "$@"; }
run() { environment "$@"; }
# app: the window in the background, its pid in pids (exec: the pid is the
# program's own, not a subshell's).
app() {
	(exec env -u HOST -u PORT HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus" "$bin" "$@" >>"$work/app.log" 2>&1) &
	app_pid=$!
	pids+=($app_pid)
}
app_pid=
quit_app() {
	[ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
	app_pid=
	while timeout 5 xdotool search --name '^Localguard' >/dev/null 2>&1; do sleep 0.2; done
}
# ensure_app: the window on the checkout, unless it is open.
ensure_app() {
	[ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null && return
	app --env "$backend/.env"
	window >/dev/null
}
window() {
	for _ in $(seq 100); do
		w=$(timeout 5 xdotool search --name '^Localguard' 2>/dev/null | head -1) && [ -n "$w" ] && { echo "$w"; return; }
		sleep 0.2
	done
	echo "screens: no window" >&2
	exit 1
}
# shoot NAME: the window at both sizes, once it has settled; small PNGs
# (fewer colours, no metadata: they are committed).
shoot() {
	local w f
	w=$(window)
	for size in 800x600 600x400; do
		xdotool windowsize "$w" "${size%x*}" "${size#*x}"
		sleep 1.5
		f=$out/$1-$size-$theme.png
		import -window "$w" "$f"
		convert "$f" -strip -dither None -colors 128 "PNG8:$f"
	done
	xdotool windowsize "$w" 800 600
	sleep 0.5
	echo "screens: $1 ($theme)"
}
# until STATUS [ENV]: wait until `localguard check` says STATUS, then for
# the window's next check (every 2 s) to show it.
until_status() {
	for _ in $(seq 50); do
		# check's exit code is its status: only its JSON is read.
		{ run "$bin" check --json --env "${2:-$backend/.env}" 2>/dev/null || true; } | grep -q "\"status\":\"$1\"" && { sleep 3; return; }
		sleep 0.2
	done
	echo "screens: never $1" >&2
	import -window root "$out/debug-never-$1.png" 2>/dev/null || true
	run "$bin" check --env "${2:-$backend/.env}" >&2 || true
	exit 1
}
key() { xdotool key --window "$(window)" "$@"; sleep 0.4; }
# unfocus: a click on the header's title drops any focus, so that Tab
# starts from the first button (the header's) and Shift+Tab from the last
# (Settings…).
unfocus() {
	xdotool mousemove --window "$(window)" 300 20 click 1
	sleep 0.3
}
# press N: Tab N times from nothing focused, then Space.
press() {
	unfocus
	for _ in $(seq "$1"); do key Tab; done
	key space
	sleep 1
}

# neighbour: a second namespace on a veth pair, running sshd; the tunnel
# goes there.
neighbour() {
	ip netns add "$peer"
	ip link add lg22-v0 type veth peer name lg22-v1
	ip link set lg22-v1 netns "$peer"
	ip addr add 198.51.100.1/24 dev lg22-v0
	ip link set lg22-v0 up
	ip netns exec "$peer" ip link set lo up
	ip netns exec "$peer" ip addr add 198.51.100.2/24 dev lg22-v1
	ip netns exec "$peer" ip link set lg22-v1 up
	rm -f "$work/host" "$work/host.pub" "$work/client" "$work/client.pub"
	ssh-keygen -q -t ed25519 -N '' -f "$work/host"
	ssh-keygen -q -t ed25519 -N '' -f "$work/client"
	cp "$work/client.pub" "$work/authorized_keys"
	cat >"$work/sshd_config" <<EOF
Port 22
ListenAddress 198.51.100.2
HostKey $work/host
AuthorizedKeysFile $work/authorized_keys
PidFile $work/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
EOF
	mkdir -p /run/sshd
	ip netns exec "$peer" /usr/sbin/sshd -D -e -f "$work/sshd_config" >>"$work/sshd.log" 2>&1 &
	sshd_pid=$!
	pids+=($sshd_pid)
	for _ in $(seq 50); do ip netns exec "$peer" "$python" -c "import socket; socket.create_connection(('198.51.100.2', 22), 1)" 2>/dev/null && return; sleep 0.1; done
	echo "screens: sshd did not start" >&2
	exit 1
}

# main_path: exposed, the preview, fixed, the restart dialog, restarted,
# Settings, the undo dialog, after undo; then stopped and at-risk.
main_path() {
	start_flowmeter
	ensure_app
	until_status exposed
	shoot exposed
	press 1 # Make FlowMeter local-only…
	shoot preview
	key Return # Apply, the default
	sleep 3
	shoot fixed-restart
	press 1 # Restart FlowMeter now…
	shoot restart
	key Return # Restart FlowMeter, the default
	until_status safe
	sleep 2
	shoot restarted-safe
	unfocus
	key shift+Tab # Settings…, the last button
	key space
	sleep 1
	shoot settings
	key Escape
	press 1 # Undo the last fix
	shoot undo
	key Tab
	key Tab # Keep the fix, Undo
	key space
	until_status at-risk
	shoot after-undo

	# Stopped: fixed from the command line, then in the restart dialog Tab,
	# Tab to "Only stop it" and Space.
	stop_flowmeter
	start_flowmeter
	until_status exposed
	run "$bin" fix --yes --env "$backend/.env" >/dev/null
	sleep 3
	press 1
	key Tab
	key Tab
	key space
	sleep 4
	shoot stopped
	run "$bin" undo --env "$backend/.env" >/dev/null
	until_status at-risk
	shoot at-risk
}

# trust_public: FlowMeter on a public address only; its "I trust this
# network" asks first. Tab: the header's button, the URL, the box.
trust_public() {
	[ -n "$netns" ] || return 0
	ensure_app
	ip link set eth0 down
	ip link set docker0 down
	ip link add wan0 type veth peer name wan0-peer
	ip addr add 192.0.2.2/24 dev wan0
	ip link set wan0 up
	ip link set wan0-peer up
	start_flowmeter
	until_status exposed
	press 3
	shoot trust-public
	key Escape
	stop_flowmeter
	ip link del wan0
	ip link set eth0 up
	ip link set docker0 up
}

# tunnel: FlowMeter local-only, carried by ssh -R to the neighbour.
tunnel() {
	[ -n "$netns" ] || return 0
	[ -n "${sshd_pid:-}" ] || neighbour
	ensure_app
	run "$bin" fix --yes --env "$backend/.env" >/dev/null
	start_flowmeter
	until_status safe
	ssh -F /dev/null -i "$work/client" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o ExitOnForwardFailure=yes -N -R "9000:127.0.0.1:$port" root@198.51.100.2 >>"$work/ssh.log" 2>&1 &
	local ssh_pid=$!
	pids+=($ssh_pid)
	until_status exposed
	sleep "${tunnel_wait:-12}" # the window checks every 10 s
	shoot tunnel
	kill "$ssh_pid"
	stop_flowmeter
	run "$bin" undo --env "$backend/.env" >/dev/null
	# The neighbour goes, and its network with it.
	kill "$sshd_pid"
	sshd_pid=
	ip netns del "$peer"
	ip link del lg22-v0 2>/dev/null || true
}

# two_flowmeters: a second checkout's FlowMeter beside the first.
two_flowmeters() {
	local other=$work/FlowMeter-old port2
	port2=$(free_port)
	rm -rf "$other"
	make_checkout "$other" "$port2" 0.0.0.0
	ensure_app
	start_flowmeter
	start_flowmeter "$other/backend" "$port2"
	until_status exposed
	shoot two-flowmeters
	stop_flowmeter "$port2"
	stop_flowmeter
}

# no_install: an empty home, no FlowMeter running; the window asks for the
# folder. Its one button opens the chooser (shot); a folder without
# FlowMeter in it is chosen (notes/), then the right one (analysis/, a
# folder Localguard does not look in by itself).
no_install() {
	quit_app
	rm -rf "$work/home"
	mkdir -p "$work/home/notes"
	mv "$checkout" "$work/home/analysis"
	app
	sleep 5
	shoot no-install
	press 1 # Choose the FlowMeter folder…
	shoot folder
	xdotool windowsize "$(window)" 800 600
	sleep 1
	# In the chooser, which opens at home: notes/ (after (Parent) and
	# analysis/).
	choose_in_folder 3
	sleep 2
	shoot wrong-folder
	press 1
	# It opens where it was left, in notes/: (Parent), then analysis/.
	choose_in_folder 1 2
	until_status at-risk "$work/home/analysis/backend/.env"
	shoot right-folder
	# Settings again, its interval list open under itself; the window
	# then quits (the open list does not close with Esc).
	unfocus
	key shift+Tab
	key space
	sleep 1
	key Tab
	key space
	sleep 1
	shoot settings-interval
	quit_app
	mv "$work/home/analysis" "$checkout"
}
# click X Y: a click at X,Y of the window (800x600 here). The chooser's
# rows are Fyne's own widgets, which Tab does not reach in a useful order:
# they are clicked, at their place in the 640x480 chooser.
click() {
	xdotool mousemove --window "$(window)" "$1" "$2" click 1
	sleep 0.8
}
# choose_in_folder ROW...: a click on each row of the chooser's list of
# folders ((Parent) is row 1, each row 39 px tall): a folder opens; then
# "Use this folder".
choose_in_folder() {
	for row in "$@"; do click 320 $((173 + (row - 1) * 39)); done
	[ -z "${folder_debug:-}" ] || import -window "$(window)" "$out/debug-folder-$1.png"
	click 657 517
	sleep 1
}

dbus-daemon --session --address="unix:path=$work/bus" --nofork --nopidfile >"$work/dbus.log" 2>&1 &
pids+=($!)
for theme in $themes; do
	export FYNE_THEME=$theme
	quit_app
	rm -rf "$work/home" "$checkout"
	mkdir -p "$work/home"
	make_checkout "$checkout" "$port" 0.0.0.0
	for step in ${STEPS:-main_path trust_public tunnel two_flowmeters no_install}; do
		"$step"
	done
	quit_app
done
rm -f "$out"/debug-never-*.png
