// Command testsummary reads `go test -json` on stdin and prints what a
// plain `go test` prints (each package's ok or FAIL line, and the output
// of failing tests), then a summary of the tests that were skipped, with
// their reasons, so that `make test` ends by saying what was not run and
// what to install to run it. It exits 1 when any package or test failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	failed := false
	outputs := map[string][]string{} // package/test → its output lines
	var skipped []string
	var passes, fails int
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // not JSON: go's own message (a build error)
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				// Package lines: "ok  pkg 1.2s", "FAIL", build errors.
				if !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "PASS\n") {
					fmt.Print(e.Output)
				}
				continue
			}
			outputs[key] = append(outputs[key], e.Output)
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Print(strings.Join(outputs[key], ""))
				if !strings.Contains(e.Test, "/") {
					fails++
				}
			}
			delete(outputs, key)
		case "skip":
			// Helper "tests" are other tests' child processes: they skip
			// by design.
			if e.Test != "" && !strings.Contains(e.Test, "/") && !strings.Contains(e.Test, "Helper") {
				skipped = append(skipped, fmt.Sprintf("%s %s: %s", shortPkg(e.Package), e.Test, reason(outputs[key])))
			}
			delete(outputs, key)
		case "pass":
			if e.Test != "" && !strings.Contains(e.Test, "/") {
				passes++
			}
			delete(outputs, key)
		}
	}
	if len(skipped) > 0 {
		sort.Strings(skipped)
		fmt.Printf("\nSkipped %d tests (the rest ran):\n", len(skipped))
		for _, s := range skipped {
			fmt.Println("  " + s)
		}
		fmt.Println("To run them: `make test-deps` installs what they use; tests of network namespaces, bind mounts and other users need root.")
	}
	fmt.Printf("\ntests: %d passed, %d failed, %d skipped\n", passes, fails, len(skipped))
	if failed {
		os.Exit(1)
	}
}

// reason is the skip message: the test's last output line of its own.
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "===") {
			continue
		}
		if _, msg, ok := strings.Cut(l, ": "); ok && strings.Contains(l, "_test.go:") {
			return msg
		}
		return l
	}
	return "(no reason given)"
}

func shortPkg(p string) string {
	if p == "localguard" {
		return "."
	}
	return strings.TrimPrefix(p, "localguard/")
}
