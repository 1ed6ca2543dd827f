package envfix

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// sourceMap is a source map's mappings (version 3), one list of segments
// per generated line: where each piece of the generated text came from.
type sourceMap [][]mapSegment

// mapSegment maps a generated column to an original line and column
// (0-based; columns in UTF-16 code units, as source maps count them).
type mapSegment struct{ genCol, srcLine, srcCol int }

// readSourceMap decodes a source map's mappings.
func readSourceMap(b []byte) (sourceMap, error) {
	var m struct {
		Version  int    `json:"version"`
		Mappings string `json:"mappings"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Version != 3 {
		return nil, fmt.Errorf("esbuild's source map does not read (%v)", err)
	}
	var out sourceMap
	srcLine, srcCol, src := 0, 0, 0
	for _, line := range strings.Split(m.Mappings, ";") {
		var segs []mapSegment
		genCol := 0
		for _, seg := range strings.Split(line, ",") {
			if seg == "" {
				continue
			}
			f, err := decodeVLQ(seg)
			if err != nil {
				return nil, err
			}
			genCol += f[0]
			if len(f) < 4 {
				continue
			}
			src += f[1]
			srcLine += f[2]
			srcCol += f[3]
			if src == 0 {
				segs = append(segs, mapSegment{genCol, srcLine, srcCol})
			}
		}
		out = append(out, segs)
	}
	return out, nil
}

// decodeVLQ decodes one segment's base64 VLQ fields.
func decodeVLQ(s string) ([]int, error) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []int
	v, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(chars, s[i])
		if d < 0 {
			return nil, fmt.Errorf("esbuild's source map has a bad segment %q", s)
		}
		v |= (d & 31) << shift
		shift += 5
		if d&32 != 0 {
			continue
		}
		n := v >> 1
		if v&1 != 0 {
			n = -n
		}
		out = append(out, n)
		v, shift = 0, 0
	}
	return out, nil
}

// original is the byte offset in src that the byte at in gen came from;
// exact is false when no mapping starts at that very byte (the offset is
// then the nearest mapping's, moved along); -1 when none.
func (m sourceMap) original(gen []byte, at int, src []byte) (offset int, exact bool) {
	line := strings.Count(string(gen[:at]), "\n")
	start := strings.LastIndexByte(string(gen[:at]), '\n') + 1
	col := utf16Len(gen[start:at])
	if line >= len(m) {
		return -1, false
	}
	best := -1
	for i, s := range m[line] {
		if s.genCol <= col {
			best = i
		}
	}
	if best < 0 {
		return -1, false
	}
	s := m[line][best]
	off := utf16Offset(src, s.srcLine, s.srcCol+col-s.genCol)
	return off, s.genCol == col && off >= 0
}

func utf16Len(b []byte) int {
	n := 0
	for _, r := range string(b) {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// utf16Offset is the byte offset of (line, col in UTF-16 units) in b; -1
// when outside it.
func utf16Offset(b []byte, line, col int) int {
	at := 0
	for i := 0; i < line; i++ {
		nl := strings.IndexByte(string(b[at:]), '\n')
		if nl < 0 {
			return -1
		}
		at += nl + 1
	}
	for col > 0 {
		if at >= len(b) || b[at] == '\n' {
			return -1
		}
		r, n := utf8.DecodeRune(b[at:])
		col -= len(utf16.Encode([]rune{r}))
		at += n
	}
	return at
}
