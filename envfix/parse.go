package envfix

import (
	"strings"
	"unicode/utf8"
)

// Span is a half-open byte range [Start, End) of the original file.
type Span struct {
	Start, End int
}

// Len is the number of bytes in the span.
func (s Span) Len() int { return s.End - s.Start }

// Statement is one statement of a .env file, split as python-dotenv splits
// it. Comments and blank lines are not statements; lines python-dotenv cannot
// parse are, with Invalid set, because FlowMeter skips them and the user may
// want to know.
type Statement struct {
	// Line is the 1-based line on which the statement's text begins.
	Line int
	// Span covers the statement from its first non-blank byte to the end of
	// its line ending (or the end of the file).
	Span Span
	// Invalid marks a line python-dotenv skips because it does not parse.
	Invalid bool

	// Key is the key as python-dotenv reads it: a single-quoted key loses
	// its quotes, anything else is kept byte for byte (a BOM included).
	Key     string
	KeySpan Span
	// Export is true when the line starts with "export ".
	Export bool
	// HasValue is false for a bare key with no "=": FlowMeter then treats
	// the key as unset.
	HasValue bool
	// ValueSpan covers the value as written, quotes included. For an empty
	// value it is empty and sits right after the "=" and its spaces.
	ValueSpan Span
	// Quote is the quote character around the value: 0, '\'' or '"'.
	Quote byte
	// Raw is the value after quote and escape decoding, before ${...}
	// interpolation.
	Raw string
}

// scanner walks the file the way python-dotenv's regular expressions do.
// python-dotenv sees the text after universal-newline translation (CRLF and
// lone CR become LF); the scanner works on the original bytes and treats the
// three line ends alike, translating only the text it hands out.
type scanner struct {
	b    []byte
	p    int
	line int
	// unclosed remembers, per quote character, the earliest opening quote
	// found to have no plain closing quote, so that a file of many
	// unterminated quotes is read in linear time (see closingQuote).
	unclosed map[byte]unclosedQuote
}

type unclosedQuote struct{ open, lastPair int }

// errNoMatch stands for a python-dotenv regular expression that did not match:
// the statement is invalid and the rest of its line is skipped.
type errNoMatch struct{}

// parseStatements splits b into statements. b must be valid UTF-8.
func parseStatements(b []byte) []Statement {
	s := &scanner{b: b, line: 1}
	var out []Statement
	for s.p < len(s.b) {
		st, ok := s.statement()
		if ok {
			out = append(out, st)
		}
	}
	return out
}

// statement reads one statement. ok is false when only whitespace, a comment
// or the end of the file was found.
func (s *scanner) statement() (st Statement, ok bool) {
	s.skipSpace(true)
	if s.p >= len(s.b) {
		return st, false
	}
	st.Line = s.line
	st.Span.Start = s.p
	if err := s.binding(&st); err != nil {
		s.restOfLine()
		st = Statement{Line: st.Line, Span: Span{st.Span.Start, s.p}, Invalid: true}
		return st, true
	}
	st.Span.End = s.p
	return st, st.Key != ""
}

func (s *scanner) binding(st *Statement) error {
	// export prefix: "export" followed by at least one blank.
	if strings.HasPrefix(string(s.b[s.p:min(len(s.b), s.p+6)]), "export") {
		if r, _ := s.runeAt(s.p + 6); r != utf8.RuneError && isBlank(r) {
			s.p += 6
			s.skipSpace(false)
			st.Export = true
		}
	}
	if err := s.key(st); err != nil {
		return err
	}
	s.skipSpace(false)
	if s.p < len(s.b) && s.b[s.p] == '=' {
		s.p++
		s.skipSpace(false)
		st.HasValue = true
		if err := s.value(st); err != nil {
			return err
		}
	}
	// optional comment: blanks, "#", rest of line.
	q := s.p
	s.skipSpace(false)
	if s.p < len(s.b) && s.b[s.p] == '#' {
		s.p = s.lineEnd(s.p)
	} else {
		s.p = q
	}
	// end of line: blanks, then a line end or the end of the file.
	s.skipSpace(false)
	if s.p == len(s.b) {
		return nil
	}
	if isNewline(s.b[s.p]) {
		s.newline()
		return nil
	}
	return errNoMatch{}
}

func (errNoMatch) Error() string { return "no match" }

func (s *scanner) key(st *Statement) error {
	if s.p >= len(s.b) {
		return errNoMatch{}
	}
	switch s.b[s.p] {
	case '#':
		return nil // a comment line: no key
	case '\'':
		// '([^']+)': at least one character, newlines included.
		end := s.closingQuote(s.p, '\'', false)
		if end <= s.p+1 {
			return errNoMatch{}
		}
		st.KeySpan = Span{s.p, end + 1}
		st.Key = translateNewlines(string(s.b[s.p+1 : end]))
		s.advance(end + 1)
		return nil
	}
	// ([^=\#\s]+)
	q := s.p
	for q < len(s.b) {
		r, n := s.runeAt(q)
		if r == '=' || r == '#' || isSpace(r) {
			break
		}
		q += n
	}
	if q == s.p {
		return errNoMatch{}
	}
	st.KeySpan = Span{s.p, q}
	st.Key = string(s.b[s.p:q])
	s.p = q
	return nil
}

func (s *scanner) value(st *Statement) error {
	if s.p >= len(s.b) || isNewline(s.b[s.p]) {
		st.ValueSpan = Span{s.p, s.p}
		return nil
	}
	switch q := s.b[s.p]; q {
	case '\'', '"':
		end := s.closingQuote(s.p, q, true)
		if end < 0 {
			return errNoMatch{}
		}
		st.Quote = q
		st.ValueSpan = Span{s.p, end + 1}
		inner := translateNewlines(string(s.b[s.p+1 : end]))
		if q == '\'' {
			st.Raw = decodeSingleQuoted(inner)
		} else {
			st.Raw = decodeDoubleQuoted(inner)
		}
		s.advance(end + 1)
		return nil
	}
	// Unquoted: the rest of the line, cut at the first run of blanks that
	// is followed by "#", then trailing whitespace dropped.
	end := s.lineEnd(s.p)
	part := s.b[s.p:end]
	cut := commentStart(part)
	v := strings.TrimRightFunc(string(part[:cut]), isSpace)
	st.ValueSpan = Span{s.p, s.p + len(v)}
	st.Raw = v
	s.p = end
	return nil
}

// commentStart returns where python-dotenv's re.sub(r"\s+#.*", "", part)
// cuts an unquoted value: the start of the first whitespace run that is
// followed by "#", or len(part).
func commentStart(part []byte) int {
	runStart := -1
	for i := 0; i < len(part); {
		r, n := utf8.DecodeRune(part[i:])
		switch {
		case isSpace(r):
			if runStart < 0 {
				runStart = i
			}
		case r == '#' && runStart >= 0:
			return runStart
		default:
			runStart = -1
		}
		i += n
	}
	return len(part)
}

// closingQuote finds the quote that closes the one at b[open], or -1.
//
// For a value (escapes set) it follows python-dotenv's '((?:\\'|[^'])*)'
// and its double-quoted twin: the first quote not consumed as part of a
// backslash-quote pair closes the value; when there is none, the regular
// expression backtracks, and the quote of the last backslash-quote pair
// closes it. For a key ('([^']+)') the next quote closes it.
//
// Once a scan from open finds no plain closing quote, every later opening
// quote q (which that scan saw as part of a pair) would scan the same bytes
// the same way, so the answer for it is remembered instead of rescanned.
func (s *scanner) closingQuote(open int, q byte, escapes bool) int {
	key := q
	if !escapes {
		key = 0
	}
	if u, ok := s.unclosed[key]; ok && open > u.open {
		if u.lastPair > open {
			return u.lastPair
		}
		return -1
	}
	lastPair := -1
	for i := open + 1; i < len(s.b); i++ {
		switch s.b[i] {
		case '\\':
			if escapes && i+1 < len(s.b) && s.b[i+1] == q {
				lastPair = i + 1
				i++
			}
		case q:
			return i
		}
	}
	if s.unclosed == nil {
		s.unclosed = map[byte]unclosedQuote{}
	}
	s.unclosed[key] = unclosedQuote{open, lastPair}
	return lastPair
}

var (
	singleQuoteEscapes = strings.NewReplacer(`\\`, `\`, `\'`, `'`)
	doubleQuoteEscapes = strings.NewReplacer(
		`\\`, `\`, `\'`, `'`, `\"`, `"`,
		`\a`, "\a", `\b`, "\b", `\f`, "\f", `\n`, "\n",
		`\r`, "\r", `\t`, "\t", `\v`, "\v",
	)
)

// decodeSingleQuoted decodes the only two escapes single quotes know.
func decodeSingleQuoted(s string) string { return singleQuoteEscapes.Replace(s) }

// decodeDoubleQuoted decodes the escapes python-dotenv decodes in double
// quotes; any other backslash sequence stays as typed.
func decodeDoubleQuoted(s string) string { return doubleQuoteEscapes.Replace(s) }

// translateNewlines does what Python's universal newlines do to the text
// python-dotenv reads: CRLF and lone CR become LF.
func translateNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// skipSpace skips Python whitespace; newlines too when multiline is set.
func (s *scanner) skipSpace(multiline bool) {
	for s.p < len(s.b) {
		c := s.b[s.p]
		if isNewline(c) {
			if !multiline {
				return
			}
			s.newline()
			continue
		}
		r, n := s.runeAt(s.p)
		if !isSpace(r) {
			return
		}
		s.p += n
	}
}

// restOfLine skips to just after the next line end, as python-dotenv does
// after a line it cannot parse.
func (s *scanner) restOfLine() {
	s.p = s.lineEnd(s.p)
	if s.p < len(s.b) {
		s.newline()
	}
}

// newline consumes one line end at s.p: CRLF, LF or CR.
func (s *scanner) newline() {
	if s.b[s.p] == '\r' && s.p+1 < len(s.b) && s.b[s.p+1] == '\n' {
		s.p++
	}
	s.p++
	s.line++
}

// advance moves to q, counting the line ends passed.
func (s *scanner) advance(q int) {
	s.line += countNewlines(s.b[s.p:q])
	s.p = q
}

// lineEnd is the index of the next CR or LF at or after i, or len(b).
func (s *scanner) lineEnd(i int) int {
	for ; i < len(s.b); i++ {
		if isNewline(s.b[i]) {
			return i
		}
	}
	return i
}

func (s *scanner) runeAt(i int) (rune, int) {
	if i >= len(s.b) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRune(s.b[i:])
}

func countNewlines(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			n++
		case '\r':
			n++
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		}
	}
	return n
}

func isNewline(c byte) bool { return c == '\n' || c == '\r' }

// isBlank is Python's [^\S\r\n]: whitespace that is not a line end.
func isBlank(r rune) bool { return r != '\n' && r != '\r' && isSpace(r) }

// isSpace is Python's str.isspace() (and \s in a str pattern): Unicode
// White_Space plus the four ASCII separators U+001C..U+001F, which Python
// counts and Go's unicode.IsSpace does not.
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0,
		0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
