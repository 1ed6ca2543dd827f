package envfix

import (
	"bytes"
	"fmt"
	"strings"
)

// DiffLine is one line of a plan's diff.
type DiffLine struct {
	// Op is ' ' for context, '-' for a removed line, '+' for an added one.
	Op   byte
	Line int // 1-based line number in the old file (context, '-') or new file ('+')
	Text string
}

// contextLines is how many unchanged lines a diff shows around a change.
const contextLines = 1

// DiffLines is the change as whole lines, with a line of context on either
// side; line ends are not shown.
func (p *Plan) DiffLines() []DiffLine {
	if bytes.Equal(p.Before, p.After) {
		return nil
	}
	oldLines, newLines := splitLines(p.Before), splitLines(p.After)
	// The edit touches one contiguous run of lines: trim the common head
	// and tail.
	head := 0
	for head < len(oldLines) && head < len(newLines) && oldLines[head] == newLines[head] {
		head++
	}
	tail := 0
	for tail < len(oldLines)-head && tail < len(newLines)-head &&
		oldLines[len(oldLines)-1-tail] == newLines[len(newLines)-1-tail] {
		tail++
	}
	// A fix of a source file may change several runs of lines (a compose
	// file's ports): the middle is compared line by line, when small.
	mid := diffMiddle(oldLines[head:len(oldLines)-tail], newLines[head:len(newLines)-tail], head)
	var out []DiffLine
	from := max(0, head-contextLines)
	for i := from; i < head; i++ {
		out = append(out, DiffLine{' ', i + 1, oldLines[i]})
	}
	out = append(out, mid...)
	for i := len(oldLines) - tail; i < min(len(oldLines), len(oldLines)-tail+contextLines); i++ {
		out = append(out, DiffLine{' ', i + 1, oldLines[i]})
	}
	return out
}

// diffMiddle is the changed middle of a diff (old and new lines after the
// common head, at line offset head): one run of removed then added lines,
// or, when both are small, a line-by-line comparison whose unchanged runs
// longer than two context lines are left out.
func diffMiddle(old, new []string, head int) []DiffLine {
	if len(old) > 400 || len(new) > 400 {
		return replaceRun(old, new, head)
	}
	return keepNearChanges(walkLCS(old, new, lcsTable(old, new), head))
}

// replaceRun is every old line removed, then every new line added.
func replaceRun(old, new []string, head int) []DiffLine {
	var out []DiffLine
	for i, l := range old {
		out = append(out, DiffLine{'-', head + i + 1, l})
	}
	for i, l := range new {
		out = append(out, DiffLine{'+', head + i + 1, l})
	}
	return out
}

// lcsTable is the table lcs[i][j]: the length of the longest common
// subsequence of old[i:] and new[j:].
func lcsTable(old, new []string) [][]int {
	lcs := make([][]int, len(old)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(new)+1)
	}
	for i := len(old) - 1; i >= 0; i-- {
		for j := len(new) - 1; j >= 0; j-- {
			if old[i] == new[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	return lcs
}

// walkLCS is the line-by-line comparison the table lcs gives: every line
// of old and new, unchanged, removed or added, removals first.
func walkLCS(old, new []string, lcs [][]int, head int) []DiffLine {
	var all []DiffLine
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case i < len(old) && j < len(new) && old[i] == new[j]:
			all = append(all, DiffLine{' ', head + i + 1, old[i]})
			i, j = i+1, j+1
		case j >= len(new) || i < len(old) && lcs[i+1][j] >= lcs[i][j+1]:
			all = append(all, DiffLine{'-', head + i + 1, old[i]})
			i++
		default:
			all = append(all, DiffLine{'+', head + j + 1, new[j]})
			j++
		}
	}
	return all
}

// keepNearChanges keeps the changed lines of all and the contextLines of
// unchanged lines next to each.
func keepNearChanges(all []DiffLine) []DiffLine {
	near := func(k int) bool {
		for d := -contextLines; d <= contextLines; d++ {
			if k+d >= 0 && k+d < len(all) && all[k+d].Op != ' ' {
				return true
			}
		}
		return false
	}
	var out []DiffLine
	for k, l := range all {
		if l.Op != ' ' || near(k) {
			out = append(out, l)
		}
	}
	return out
}

// Diff is the change in unified-diff form, for a terminal or a preview.
func (p *Plan) Diff() string {
	lines := p.DiffLines()
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s (fixed)\n", p.File.Path, p.File.Path)
	for _, l := range lines {
		fmt.Fprintf(&b, "%c%s\n", l.Op, strings.ToValidUTF8(l.Text, "\uFFFD"))
	}
	return b.String()
}

// splitLines splits at CRLF, LF and CR, dropping the line ends; a final
// line end does not start another line.
func splitLines(b []byte) []string {
	var lines []string
	start := 0
	for i := 0; i < len(b); i++ {
		if !isNewline(b[i]) {
			continue
		}
		lines = append(lines, string(b[start:i]))
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
		start = i + 1
	}
	if start < len(b) {
		lines = append(lines, string(b[start:]))
	}
	return lines
}
