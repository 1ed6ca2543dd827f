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
	var out []DiffLine
	from := max(0, head-contextLines)
	for i := from; i < head; i++ {
		out = append(out, DiffLine{' ', i + 1, oldLines[i]})
	}
	for i := head; i < len(oldLines)-tail; i++ {
		out = append(out, DiffLine{'-', i + 1, oldLines[i]})
	}
	for i := head; i < len(newLines)-tail; i++ {
		out = append(out, DiffLine{'+', i + 1, newLines[i]})
	}
	for i := len(oldLines) - tail; i < min(len(oldLines), len(oldLines)-tail+contextLines); i++ {
		out = append(out, DiffLine{' ', i + 1, oldLines[i]})
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
