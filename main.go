// Command localguard guards FlowMeter: it tells where FlowMeter can be
// reached from and why, and makes it local-only with one safe change.
//
// Without a command it opens the window and the tray icon; check, fix and
// undo give the same engine to scripts (see shared/CLI.md).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"localguard/netcheck"
	"localguard/ui"
)

const usage = `Localguard keeps FlowMeter reachable from this computer only.

Usage:
  localguard [--env FILE]                   open the window and the tray icon
  localguard check [--env FILE] [--json]    print the verdict; exit 0 safe, 1 exposed, 2 at-risk, 3 error
  localguard fix [--env FILE] [--yes] [--json]
                                            make FlowMeter bind to 127.0.0.1 (shows the change, asks, keeps a backup)
  localguard undo [--env FILE]              put the .env back exactly as it was before the last fix

FILE is the backend/.env of a FlowMeter checkout; it need not exist.
Run "localguard COMMAND -h" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// cli is one run of the command line, with its streams.
type cli struct {
	in       io.Reader
	out, err io.Writer
}

func run(args []string, in io.Reader, out, errw io.Writer) int {
	c := cli{in: in, out: out, err: errw}
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "":
		return c.window(args)
	case "check":
		return c.check(args)
	case "fix":
		return c.fix(args)
	case "undo":
		return c.undo(args)
	case "help":
		fmt.Fprint(out, usage)
		return 0
	}
	fmt.Fprintf(errw, "localguard: unknown command %q: run \"localguard help\" to see the commands.\n", cmd)
	return 3
}

// flags declares the flags every command shares.
type flags struct {
	set     *flag.FlagSet
	env     string
	json    bool
	yes     bool
	command string
}

func (c cli) flags(command string, withJSON, withYes bool) *flags {
	f := &flags{set: flag.NewFlagSet("localguard "+command, flag.ContinueOnError), command: command}
	f.set.SetOutput(c.err)
	f.set.StringVar(&f.env, "env", "", "the `FILE` backend/.env of the FlowMeter install")
	if withJSON {
		f.set.BoolVar(&f.json, "json", false, "print one JSON object (see shared/CLI.md)")
	}
	if withYes {
		f.set.BoolVar(&f.yes, "yes", false, "apply the change without asking")
	}
	return f
}

// parse parses args; done is true when the command should stop with code.
func (f *flags) parse(c cli, args []string) (code int, done bool) {
	if err := f.set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 3, true
	}
	if f.set.NArg() > 0 {
		fmt.Fprintf(c.err, "localguard %s: unexpected argument %q: pass the file with --env.\n", f.command, f.set.Arg(0))
		return 3, true
	}
	if f.env == "" {
		fmt.Fprintf(c.err, "localguard %s: no FlowMeter install given: pass --env /path/to/FlowMeter/backend/.env.\n", f.command)
		return 3, true
	}
	return 0, false
}

func (c cli) check(args []string) int {
	f := c.flags("check", true, false)
	if code, done := f.parse(c, args); done {
		return code
	}
	v := netcheck.Check(f.env, os.Environ())
	c.print(v, f.json, nil)
	return v.Status.ExitCode()
}

// fixResult is what `fix --json` adds to the verdict.
type fixResult struct {
	Changed bool   `json:"changed"`
	Backup  string `json:"backup,omitempty"`
	Diff    string `json:"diff,omitempty"`
}

func (c cli) fix(args []string) int {
	f := c.flags("fix", true, true)
	if code, done := f.parse(c, args); done {
		return code
	}
	plan, err := netcheck.PlanFix(f.env, os.Environ())
	if err != nil {
		fmt.Fprintf(c.err, "localguard fix: %v\n", err)
		return 1
	}
	res := &fixResult{Diff: plan.Diff()}
	if plan.Empty() {
		if !f.json {
			fmt.Fprintf(c.out, "Nothing to change: %s already keeps FlowMeter on this computer (HOST=%s).\n", f.env, plan.Value)
		}
	} else {
		if !f.json {
			fmt.Fprint(c.out, res.Diff)
		}
		if !f.yes && !c.confirm("Apply this change? [y/N] ") {
			fmt.Fprintf(c.err, "localguard fix: not applied; %s is unchanged.\n", f.env)
			return 1
		}
		backup, err := netcheck.ApplyFix(plan)
		if err != nil {
			fmt.Fprintf(c.err, "localguard fix: %v\n", err)
			return 1
		}
		res.Changed = true
		if plan.File.Exists {
			res.Backup = backup.Path
		}
		if !f.json {
			fmt.Fprintf(c.out, "Fixed: %s now sets HOST=%s (line %d).", f.env, plan.Value, plan.Line)
			if res.Backup != "" {
				fmt.Fprintf(c.out, " The original is kept in %s.", res.Backup)
			}
			fmt.Fprintf(c.out, "\nRestart FlowMeter to apply it. To put the file back: localguard undo --env %s\n", f.env)
		}
	}
	v := netcheck.Check(f.env, os.Environ())
	if f.json {
		c.print(v, true, res)
	}
	if v.Status == netcheck.StatusError {
		return 1
	}
	return 0
}

func (c cli) undo(args []string) int {
	f := c.flags("undo", false, false)
	if code, done := f.parse(c, args); done {
		return code
	}
	if err := netcheck.Undo(f.env); err != nil {
		fmt.Fprintf(c.err, "localguard undo: %v\n", err)
		return 1
	}
	fmt.Fprintf(c.out, "Put %s back exactly as it was before the fix.\n", f.env)
	return 0
}

func (c cli) window(args []string) int {
	f := c.flags("", false, false)
	if err := f.set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.err, usage)
			return 0
		}
		return 3
	}
	ui.Run(f.env)
	return 0
}

// confirm asks on stderr and reads a yes from stdin.
func (c cli) confirm(question string) bool {
	fmt.Fprint(c.err, question)
	line, _ := bufio.NewReader(c.in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

// print writes the verdict as text or as one JSON object.
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
