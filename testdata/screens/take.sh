#!/usr/bin/env bash
# Takes the README's screenshots from the real desktop binary under Xvfb:
# every state the window shows, each at 800x600 and 600x400, into
# docs/screens/. The machine is driven for real: a FlowMeter-like server
# exposed on every address, `localguard fix` from the command line, the
# window's own Stop (through the keyboard: Tab to the button, Enter, Enter),
# FlowMeter started again, `localguard undo`, and a run with nothing found.
#   bash testdata/screens/take.sh            (after `make build`)
# Needs: Xvfb, xdotool, x11-utils, ImageMagick, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(pwd)/${LOCALGUARD:-localguard}
out=docs/screens
python=/usr/bin/python3
mkdir -p "$out"
work=$(mktemp -d)
work=$(cd "$work" && pwd -P)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	# FlowMeters the window restarted are detached: find them by folder.
	for d in /proc/[0-9]*; do
		case $(readlink "$d/cwd" 2>/dev/null) in "$work"*) kill "${d#/proc/}" 2>/dev/null || true ;; esac
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")

checkout=$work/FlowMeter
backend=$checkout/backend
mkdir -p "$backend/app" "$work/home"
cp testdata/bench/flowmeter_app.py "$backend/app/main.py"
: >"$backend/app/__init__.py"
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'APP_NAME=FlowMeter API\nDEBUG=false\nHOST=0.0.0.0\nPORT=%s\n' "$port" >"$backend/.env"
fm=
start_flowmeter() {
	(cd "$backend" && exec env -u HOST -u PORT "$python" -m app.main >>"$work/flowmeter.log" 2>&1) &
	fm=$!
	pids+=($fm)
	for _ in $(seq 50); do "$python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return; sleep 0.1; done
	echo "screens: FlowMeter did not start" >&2
	exit 1
}
run() { env -u HOST -u PORT -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" "$@"; }
# app: the window in the background, its pid in pids (exec: the pid is the
# program's own, not a subshell's).
app() {
	(exec env -u HOST -u PORT -u DBUS_SESSION_BUS_ADDRESS HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" "$bin" "$@" >>"$work/app.log" 2>&1) &
	pids+=($!)
}
window() {
	for _ in $(seq 100); do
		w=$(xdotool search --name '^Localguard' 2>/dev/null | head -1) && [ -n "$w" ] && { echo "$w"; return; }
		sleep 0.2
	done
	echo "screens: no window" >&2
	exit 1
}
# shoot NAME: the window at both sizes, once it has settled.
shoot() {
	local w
	w=$(window)
	for size in 800x600 600x400; do
		xdotool windowsize "$w" "${size%x*}" "${size#*x}"
		sleep 1.5
		import -window "$w" "$out/$1-$size.png"
	done
	xdotool windowsize "$w" 800 600
	echo "screens: $1"
}
# until STATUS: wait until `localguard check` says STATUS, then for the
# window's next check (every 2 s) to show it.
until_status() {
	for _ in $(seq 50); do
		# check's exit code is its status: only its JSON is read.
		{ run "$bin" check --json --env "$backend/.env" 2>/dev/null || true; } | grep -q "\"status\":\"$1\"" && { sleep 3; return; }
		sleep 0.2
	done
	echo "screens: never $1" >&2
	import -window root "$out/debug-never-$1.png" 2>/dev/null || true
	run "$bin" check --env "$backend/.env" >&2 || true
	exit 1
}

# pidof_flowmeter: the pid of the FlowMeter listening on the port now.
pidof_flowmeter() {
	ss -Htlnp "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}
# restart_dialog: from the keyboard, as a person without a mouse would:
# Tab to the header's button (Restart FlowMeter now…), Space to press it.
restart_dialog() {
	local w
	w=$(window)
	# A click on the header's empty right side drops any focus, so that
	# Tab starts from the first button.
	xdotool mousemove --window "$w" 760 12 click 1
	sleep 0.3
	xdotool key --window "$w" Tab
	sleep 0.3
	xdotool key --window "$w" space
	sleep 1
}

start_flowmeter
app --env "$backend/.env"
window >/dev/null
until_status exposed
shoot exposed
run "$bin" fix --yes --env "$backend/.env" >/dev/null
sleep 3
shoot fixed-restart
# Restart FlowMeter now, then Enter: the dialog's main button restarts it.
restart_dialog
xdotool key --window "$(window)" Return
until_status safe
sleep 2
shoot restarted-safe

# Again, to stop only: undo, FlowMeter on every address again, fix, then
# in the dialog Tab, Tab to "Only stop it" and Space.
kill "$(pidof_flowmeter)"
run "$bin" undo --env "$backend/.env" >/dev/null
start_flowmeter
until_status exposed
run "$bin" fix --yes --env "$backend/.env" >/dev/null
sleep 3
restart_dialog
w=$(window)
xdotool key --window "$w" Tab
sleep 0.2
xdotool key --window "$w" Tab
sleep 0.2
xdotool key --window "$w" space
sleep 4
shoot stopped

p=$(pidof_flowmeter)
[ -z "$p" ] || kill "$p"
run "$bin" undo --env "$backend/.env" >/dev/null
until_status at-risk
shoot at-risk

# Nothing found: an empty home, no FlowMeter. The window opens its folder
# chooser over itself.
for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; done
while xdotool search --name '^Localguard' >/dev/null 2>&1; do sleep 0.2; done
mv "$backend" "$work/elsewhere"
rm -rf "$work/home"
mkdir -p "$work/home"
app
sleep 5
shoot no-install
