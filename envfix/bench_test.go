package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkReadExample reads a typical backend/.env.
func BenchmarkReadExample(b *testing.B) {
	content := []byte("APP_NAME=FlowMeter API\nAPP_VERSION=1.0.0\nDEBUG=true\nHOST=0.0.0.0\nPORT=8000\nCORS_ORIGINS=[\"http://localhost:3000\"]\nMAX_FILE_SIZE_MB=100\n")
	for b.Loop() {
		Read(content, nil)
	}
}

// BenchmarkReadUnterminated reads a 1 MiB file of unterminated quotes,
// which a naive reading of python-dotenv's grammar scans quadratically.
func BenchmarkReadUnterminated(b *testing.B) {
	content := bytes.Repeat([]byte("A=\"x\\\"\nB='y\n'C\n"), MaxFileSize/16)
	for b.Loop() {
		Read(content, nil)
	}
}

// dollarBraceFiles are 1 MiB files made of "${" runs that no "}" closes,
// which a naive reading of python-dotenv's interpolation scans
// quadratically (203 s for one check before it was made linear).
var dollarBraceFiles = map[string][]byte{
	"bare":          append([]byte("A="), bytes.Repeat([]byte("${"), MaxFileSize/2-1)...),
	"names":         append([]byte("A="), bytes.Repeat([]byte("${a"), MaxFileSize/3-1)...),
	"colon at end":  append(append([]byte("A="), bytes.Repeat([]byte("${"), MaxFileSize/2-2)...), ":x"...),
	"defaults":      append([]byte("A="), bytes.Repeat([]byte("${a:-"), MaxFileSize/5-1)...),
	"closed at end": append(append([]byte("A="), bytes.Repeat([]byte("${a:"), MaxFileSize/4-2)...), "}\n"...),
	"many lines":    bytes.Repeat([]byte("A=${${${${${${${${${${${${${${${${${\n"), MaxFileSize/37),
}

// BenchmarkReadDollarBrace loads (reads from disk, checks the expansion,
// parses, interpolates) 1 MiB files of "${" runs, as a check does; the
// target is under 100 ms each.
func BenchmarkReadDollarBrace(b *testing.B) {
	dir := b.TempDir()
	for name, content := range dollarBraceFiles {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".env")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				if _, err := Load(path, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlanDollarBrace plans the fix of the same files: each candidate
// edit is read back whole, so planning costs a few readings.
func BenchmarkPlanDollarBrace(b *testing.B) {
	for name, content := range dollarBraceFiles {
		f := &File{Path: ".env", Target: ".env", Exists: true, Reading: Read(content, nil)}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(content)))
			for b.Loop() {
				if _, err := PlanLocalOnly(f); err != nil && !errors.Is(err, ErrTooLarge) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExpansionBomb loads a small file whose references would double
// at every line; it is refused after a linear count, never expanded.
func BenchmarkExpansionBomb(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("A0=xxxxxxxxxxxxxxxx\n")
	for i := 1; i < 200; i++ {
		fmt.Fprintf(&buf, "A%d=${A%d}${A%d}\n", i, i-1, i-1)
	}
	path := filepath.Join(b.TempDir(), ".env")
	os.WriteFile(path, buf.Bytes(), 0o600)
	for b.Loop() {
		if _, err := Load(path, nil); !errors.Is(err, ErrTooLarge) {
			b.Fatal(err)
		}
	}
}
