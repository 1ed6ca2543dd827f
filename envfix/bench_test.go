package envfix

import (
	"bytes"
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
