package main

// The command line: its usage, the dispatch to each command, the flags
// they share, and how it asks and prints. One file per command beside it.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"localguard/netcheck"
)

const usage = `Localguard keeps FlowMeter reachable from this computer only.

Usage:
  localguard [--env FILE] [--hidden]        open the window and the tray icon (--hidden: in the tray only, as at login)
  localguard check [--env FILE] [--json]    print the verdict; exit 0 safe, 1 exposed, 2 at-risk, 3 error
  localguard fix [--env FILE] [--yes] [--json] [--finding KEY] [--source FILE]
                                            make FlowMeter bind to 127.0.0.1 (shows the change, asks, keeps a backup);
                                            with --finding, make that setting safe instead (DEBUG, CORS_ORIGINS, ...)
                                            with --source, fix a relay or container at its source instead (docker-compose.yaml,
                                            the frontend's package.json or vite.config.*)
  localguard undo [--env FILE] [--source FILE] [--forget]
                                            put the .env (or the source file) back exactly as it was before the last fix
                                            (again: the fix before); with --forget, remove the backups instead
  localguard restart [--env FILE] [--yes] [--json]
                                            stop FlowMeter and start it again as it was started (as the window's
                                            "Restart FlowMeter now"; loaded datasets are lost); exit 0 when it runs again
  localguard stop-relay --pid PID [--yes]  stop a relay that passes FlowMeter on (see check's relays), after asking
  localguard watch [--env FILE] [--interval DURATION] [--json]
                                            print the verdict now and each time it changes, until interrupted
  localguard version                        print the version, commit and build date (also --version)

FILE is the backend/.env of a FlowMeter checkout; it need not exist. Without
--env, Localguard uses the install it remembered, then the ones it finds
(running FlowMeter processes, common places).
Run "localguard COMMAND -h" for a command's flags.
`

// cli is one run of the command line, with its streams.
type cli struct {
	in       io.Reader
	out, err io.Writer
}

// run runs the command line args with the streams given and returns the
// exit code.
func run(args []string, in io.Reader, out, errw io.Writer) int {
	c := cli{in: in, out: out, err: errw}
	cmd, args := commandOf(args)
	switch cmd {
	case "":
		return c.window(args)
	case "check":
		return c.check(args)
	case "fix":
		return c.fix(args)
	case "undo":
		return c.undo(args)
	case "watch":
		return c.watch(args)
	case "stop-relay":
		return c.stopRelay(args)
	case "version":
		return c.printVersion(args)
	case "restart":
		return c.restart(args)
	case "help":
		fmt.Fprint(out, usage)
		return 0
	}
	fmt.Fprintf(errw, "localguard: unknown command %q: run \"localguard help\" to see the commands.\n", cmd)
	return 3
}

// commandOf splits the command from its arguments: "" is the window,
// "help" and "version" are also asked for as flags.
func commandOf(args []string) (string, []string) {
	switch {
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		return args[0], args[1:]
	case len(args) > 0 && isHelp(args[0]):
		return "help", args
	case len(args) > 0 && (args[0] == "--version" || args[0] == "-version"):
		return "version", args[1:]
	}
	return "", args
}

// command is one command's flags and the install they resolve to.
type command struct {
	name    string
	set     *flag.FlagSet
	env     string
	json    bool
	yes     bool
	finding string
	// source is fix's and undo's --source: a relay's or container's file.
	source string
	// pid is stop-relay's.
	pid int
	// interval is watch's.
	interval time.Duration
	// hidden is the window's: start in the tray.
	hidden bool
	// forget is undo's: remove the backups instead of undoing.
	forget bool

	checker *netcheck.Checker
}

// command makes the flag set of the command name.
func (c cli) command(name string) *command {
	cmd := &command{name: name, set: flag.NewFlagSet("localguard "+name, flag.ContinueOnError)}
	// Errors are said in one sentence by parse; help goes to stdout.
	cmd.set.SetOutput(io.Discard)
	cmd.set.StringVar(&cmd.env, "env", "", "the `FILE` backend/.env of the FlowMeter install (default: remembered or found)")
	switch name {
	case "check", "fix", "watch", "restart":
		cmd.set.BoolVar(&cmd.json, "json", false, "print JSON (see docs/cli.md)")
	}
	switch name {
	case "fix":
		cmd.set.BoolVar(&cmd.yes, "yes", false, "apply the change without asking")
		cmd.set.StringVar(&cmd.finding, "finding", "", "make the setting `KEY` of a finding safe instead of HOST")
		cmd.set.StringVar(&cmd.source, "source", "", "fix the `FILE` that puts a relay or container on the network (docker-compose.yaml, package.json, vite.config.*) instead of the .env")
	case "undo":
		cmd.set.BoolVar(&cmd.forget, "forget", false, "remove every backup Localguard kept of the file (its fixes can then no longer be undone); the file itself is not changed")
		cmd.set.StringVar(&cmd.source, "source", "", "put back the `FILE` a --source fix changed instead of the .env")
	case "restart":
		cmd.set.BoolVar(&cmd.yes, "yes", false, "restart without asking (every dataset loaded in FlowMeter is lost)")
	case "stop-relay":
		cmd.set.IntVar(&cmd.pid, "pid", 0, "the `PID` of the relay (as check lists it in relays)")
		cmd.set.BoolVar(&cmd.yes, "yes", false, "stop it without asking")
	case "watch":
		cmd.set.DurationVar(&cmd.interval, "interval", netcheck.DefaultInterval, "how often to check in full; changes seen (the .env, interfaces, listening sockets) are checked at once (1s, 500ms)")
	case "":
		cmd.set.BoolVar(&cmd.hidden, "hidden", false, "start hidden in the tray, as at login (where the desktop has no tray, the window opens)")
	}
	return cmd
}

// parse parses args and finds the install; done is true when the command
// should stop with code.
func (cmd *command) parse(c cli, args []string) (code int, done bool) {
	if err := cmd.set.Parse(args); err != nil {
		return c.flagError(cmd, err), true
	}
	if cmd.set.NArg() > 0 {
		fmt.Fprintf(c.err, "localguard %s: unexpected argument %q: pass the file with --env.\n", cmd.name, cmd.set.Arg(0))
		return 3, true
	}
	cmd.checker, _ = netcheck.OpenInstall(context.Background(), cmd.env, netcheck.DefaultStore(), os.Environ())
	cmd.env = cmd.checker.EnvPath
	if cmd.env == "" && cmd.source == "" && (cmd.name == "fix" || cmd.name == "undo") {
		fmt.Fprintf(c.err, "localguard %s: %v\n", cmd.name, netcheck.ErrNoInstall)
		return 3, true
	}
	return 0, false
}

// isHelp reports whether an argument asks for the usage.
func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// flagError handles a command line the flags did not accept: help on
// stdout (exit 0), or one sentence on stderr (exit 3).
func (c cli) flagError(cmd *command, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		if cmd.name == "" {
			fmt.Fprint(c.out, usage)
			return 0
		}
		fmt.Fprintf(c.out, "Usage of localguard %s:\n", cmd.name)
		cmd.set.SetOutput(c.out)
		cmd.set.PrintDefaults()
		return 0
	}
	name := "localguard"
	if cmd.name != "" {
		name += " " + cmd.name
	}
	fmt.Fprintf(c.err, "%s: %v: run \"%s -h\" to see its flags.\n", name, err, name)
	return 3
}

// confirm asks on stderr and reads a yes from stdin.
func (c cli) confirm(question string) bool {
	fmt.Fprint(c.err, question)
	line, _ := bufio.NewReader(c.in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

// print writes the verdict as text or as one JSON object on one line.
func (c cli) print(v netcheck.Verdict, asJSON bool, extra *fixResult) {
	if !asJSON {
		fmt.Fprint(c.out, v.Text(isTerminal(c.out)))
		return
	}
	var obj any = v
	if extra != nil {
		obj = struct {
			netcheck.Verdict
			*fixResult
		}{v, extra}
	}
	enc := json.NewEncoder(c.out)
	enc.SetEscapeHTML(false)
	enc.Encode(obj)
}

// isTerminal reports whether w is a terminal, where colour helps; NO_COLOR
// turns it off.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
