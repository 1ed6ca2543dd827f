package envfix

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// plainInt is the everyday form of a whole number pydantic 2 accepts:
// Unicode White_Space around, one sign, ASCII digits, a ".000" tail.
var plainInt = regexp.MustCompile(`^\s*[+-]?([0-9]+)(\.0+)?\s*$`)

// FuzzSettingValue checks, on any string as the value of every setting
// pydantic can refuse, that reading it never panics and keeps its
// promises: a whole number is canonical and agrees with strconv on the
// everyday forms; a port is 0..65535; a boolean is one of pydantic's words;
// a list is JSON; every finding is one or two sentences naming its source.
func FuzzSettingValue(f *testing.F) {
	for _, c := range pydanticCoreIntCases {
		f.Add(c.in)
	}
	for _, c := range ourIntCases {
		f.Add(c.in)
	}
	for _, s := range []string{"true", "On", "yeſ", `["*"]`, "null", "NaN", `[NaN]`, "http://a,http://b", ".csv,.xlsx", "'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkWholeNumber(t, s)
		checkBoolWord(t, s)
		checkStrList(t, s)
		if shown := shownValue(s, "empty"); strings.ContainsAny(shown, "\n\r") || len(shown) > 10*maxShown+8 {
			t.Fatalf("shownValue(%q) = %q", s, shown)
		}
		if strings.ContainsRune(s, 0) {
			return // no environment variable holds a NUL
		}
		var env []string
		for _, c := range checkedFields {
			env = append(env, c.key+"="+s)
		}
		r := Read([]byte("DEBUG=true\nCORS_ORIGINS=[\"*\"]\n"), env)
		for _, risk := range r.RisksIn(testPath) {
			checkMessage(t, risk)
		}
		checkRefusals(t, r)
	})
}

// checkWholeNumber: s read as a whole number is canonical, reads back,
// agrees with strconv on the everyday forms, and is a port exactly when
// it is 0..65535.
func checkWholeNumber(t *testing.T, s string) {
	t.Helper()
	n, ok := parseWholeNumber(s)
	if ok {
		checkCanonical(t, s, n)
	}
	checkEverydayInt(t, s, n, ok)
	v, _ := strconv.Atoi(n.digits)
	if p, pok := ParsePort(s); pok != (ok && !n.neg && len(n.digits) <= 5 && v <= 65535) || pok && strconv.Itoa(p) != n.digits {
		t.Fatalf("ParsePort(%q) = %d, %v; whole number %+v, %v", s, p, pok, n, ok)
	}
}

// checkCanonical: the whole number n read from s has canonical digits
// and reads back as itself.
func checkCanonical(t *testing.T, s string, n wholeNumber) {
	t.Helper()
	d := n.digits
	if d == "" || !asciiDigits(d) || d[0] == '0' && d != "0" || n.neg && d == "0" || len(d) > maxIntLen {
		t.Fatalf("%q read as %+v", s, n)
	}
	if m, ok := parseWholeNumber(formatWhole(n)); !ok || m != n {
		t.Fatalf("%q read as %+v, which reads back as %+v, %v", s, n, m, ok)
	}
}

// checkEverydayInt: on the everyday forms of a whole number, reading s
// (n, ok) agrees with strconv.
func checkEverydayInt(t *testing.T, s string, n wholeNumber, ok bool) {
	t.Helper()
	m := plainInt.FindStringSubmatch(s)
	if m == nil || len(m[1]) >= 18 || strings.HasPrefix(strings.TrimSpace(s), "+-") {
		return
	}
	want, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimRight(strings.TrimSpace(s), "0"), ".")), 10, 64)
	if m[2] == "" {
		want, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	}
	if !ok || formatWhole(n) != strconv.FormatInt(want, 10) {
		t.Fatalf("%q: read as %+v, %v; want %d", s, n, ok, want)
	}
}

// checkBoolWord: s is a boolean exactly when it is one of pydantic's
// words, with the value the word says.
func checkBoolWord(t *testing.T, s string) {
	t.Helper()
	b, bok := parseBool(s)
	l := asciiLower(s)
	if wantOK := s == "0" || s == "1" || strings.Contains(" t y on yes true f n no off false ", " "+l+" ") && !strings.Contains(l, " ") && l != ""; bok != wantOK {
		t.Fatalf("parseBool(%q) ok = %v", s, bok)
	}
	if bok && b != (s == "1" || strings.HasPrefix(l, "t") || strings.HasPrefix(l, "y") || l == "on") {
		t.Fatalf("parseBool(%q) = %v", s, b)
	}
}

// checkStrList: JSON is never read as not JSON, a list read reads back,
// and the example a finding gives for s is a list.
func checkStrList(t *testing.T, s string) {
	t.Helper()
	list, lp := parseStrList(s)
	if json.Valid([]byte(s)) && lp == listNotJSON {
		t.Fatalf("%q is JSON, read as not JSON", s)
	}
	if lp == listOK {
		again, _ := json.Marshal(list)
		if back, p := parseStrList(string(again)); p != listOK || len(back) != len(list) {
			t.Fatalf("%q: the list %q does not read back", s, list)
		}
	}
	for _, key := range []string{"CORS_ORIGINS", "ALLOWED_EXTENSIONS"} {
		if ex := listExample(key, s, localOrigins); func() bool { _, p := parseStrList(ex); return p != listOK }() {
			t.Fatalf("listExample(%s, %q) = %q, not a list", key, s, ex)
		}
	}
}

// FuzzFileRisks reads any UTF-8 file and checks every finding's promises,
// and that a finding of severity error exists exactly for the int and
// bool settings whose value pydantic refuses.
func FuzzFileRisks(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add([]byte("PORT=8000.0\nDEBUG=on\nCORS_ORIGINS=http://a\nMAX_FILE_SIZE_MB=1e3\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		if !utf8.Valid(content) {
			return
		}
		r := Read(content, fuzzEnv)
		for _, risk := range r.RisksIn(testPath) {
			checkMessage(t, risk)
		}
		checkRefusals(t, r)
	})
}

// checkRefusals: an int or bool setting that is not the default has an
// error finding exactly when pydantic refuses its value (or, for PORT, the
// bind refuses it).
func checkRefusals(t *testing.T, r *Reading) {
	t.Helper()
	errs := map[string]int{}
	for _, risk := range r.Risks() {
		if risk.Severity == SeverityError {
			errs[risk.Key]++
		}
	}
	for _, c := range checkedFields {
		if c.kind == kindStrList {
			continue
		}
		s := r.Setting(c.key, c.example)
		refused := false
		switch c.kind {
		case kindBool:
			_, ok := parseBool(s.Value)
			refused = !ok
		case kindInt:
			n, ok := parseWholeNumber(s.Value)
			_, pok := n.port()
			refused = !ok || c.key == "PORT" && !pok
		}
		if want := btoi(refused && s.Source != SourceDefault); errs[c.key] != want {
			t.Fatalf("%s=%q (%s): %d error findings, want %d", c.key, s.Value, s.Source, errs[c.key], want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
