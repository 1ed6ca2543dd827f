package envfix

import (
	"strings"
	"testing"
)

// pydanticCoreIntCases are the string inputs of pydantic-core's own table
// test for int in lax mode, tests/validators/test_int.py
// test_int_py_and_json and test_string_as_int_with_underscores, at commit
// 383eb95a19433754c0cecf7025b50c26b6d97a36 (pydantic-core 2.41.5): the
// expected value, or "!" for a refused string.
var pydanticCoreIntCases = []struct{ in, want string }{
	{"0", "0"}, {"00", "0"}, {"000", "0"}, {"0_000", "0"}, {"+0", "0"}, {"+00", "0"},
	{"+000", "0"}, {"+0_000", "0"}, {"  1  ", "1"}, {"-1", "-1"}, {"-1.0", "-1"},
	{"42", "42"}, {"0.0", "0"}, {"00.0", "0"}, {"00.00", "0"}, {"42.0", "42"},
	{"42.00", "42"}, {"042", "42"}, {"01", "1"}, {"09", "9"}, {"00_", "!"}, {"0:", "!"},
	{"+4_2", "42"}, {"+0_42", "42"}, {"+4_2.0", "42"}, {"+04_2.0", "42"}, {"++4_2", "!"},
	{"-+1", "!"}, {"+-1", "!"}, {"--0001", "!"}, {"-+0001", "!"}, {"-0-001", "!"},
	{"-0+001", "!"}, {"-00001", "-1"}, {"-00042_000", "-42000"}, {"4_2", "42"},
	{"0_42", "42"}, {"4_2.0", "42"}, {"04_2.0", "42"}, {"  04_2.0 ", "42"},
	{"  0_42.0 ", "42"}, {"  _042.0 ", "!"}, {"42_", "!"}, {"42_.0", "!"},
	{"000001", "1"}, {"123456789.0", "123456789"}, {" ", "!"}, {"1.", "!"}, {"42.", "!"},
	{"123456789123456.00001", "!"}, {"wrong", "!"}, {"9223372036854775807", "9223372036854775807"},
	{"18446744073709551614", "18446744073709551614"}, {"nan", "!"},
	{"1_000_000", "1000000"}, {"_1", "!"}, {"1__0", "!"}, {"1_0_", "!"}, {"1_0__0", "!"},
	// test_long_python and test_too_long: jiter's 4300 bound.
	{strings.Repeat("1", 4300), strings.Repeat("1", 4300)},
	{strings.Repeat("1", 4301), "!"},
	{"-" + strings.Repeat("1", 400), "-" + strings.Repeat("1", 400)},
}

// ourIntCases are derived by following the Rust source (str_as_int,
// clean_int_str, strip_leading_zeros, strip_underscores in
// src/input/shared.rs; NumberInt::from_bytes in jiter) by hand; each says
// which rule decides it.
var ourIntCases = []struct{ in, want, why string }{
	{"8000.0", "8000", "a .0 tail is dropped (issue 9: FlowMeter starts on 8000)"},
	{" 8000 ", "8000", "str::trim"},
	{"\t8000\n", "8000", "str::trim"},
	{"\u00a08000\u3000", "8000", "str::trim removes Unicode White_Space, NBSP and ideographic space too"},
	{"\u20288000\u0085", "8000", "str::trim: line separator and NEL are White_Space"},
	{"\x1c8000", "!", "U+001C is Python whitespace but not Unicode White_Space: trim keeps it"},
	{"\ufeff8000", "!", "a BOM is not whitespace"},
	{"\u200b8000", "!", "a zero-width space is not White_Space"},
	{"0x1F40", "!", "strip_leading_zeros refuses the x"},
	{"1e3", "!", "no exponent: no ., no _ to clean, nothing changed"},
	{"８０００", "!", "full-width digits: strip_leading_zeros refuses the first"},
	{"٨٠٠٠", "!", "Arabic-Indic digits likewise"},
	{"8000.5", "!", "a fraction is kept, and refused"},
	{"8000.", "!", "an empty fraction is not dropped"},
	{"8000.0.0", "!", "the fraction after the first dot must be all zeros"},
	{".0", "!", "strip_leading_zeros refuses the dot"},
	{"+8000", "8000", "one leading + is dropped"},
	{"+ 8000", "!", "no space after the sign"},
	{"- 8000", "!", "no space after the sign"},
	{"08000", "8000", "leading zeros"},
	{"-08000", "-8000", "leading zeros of a negative number (pydantic-core 2.23.3 on)"},
	{"-0", "0", "jiter reads -0 as 0"},
	{"-", "!", "nothing after the sign"},
	{"", "!", "empty"},
	{"8_000", "8000", "single underscores between digits"},
	{"8_000.0", "8000", "underscores and a .0 tail"},
	{"8__000", "!", "double underscore"},
	{"0-5", "-5", "strip_leading_zeros returns the rest at a '-', so jiter reads -5"},
	{"0-05", "!", "jiter refuses -05"},
	{"1_0.0_0", "!", "underscores in the fraction keep it, jiter refuses the rest"},
	{"8000 8000", "!", "an inner space"},
	{"80a0", "!", "a letter"},
	{"99999999999999999999999", "99999999999999999999999", "any size up to 4300 characters"},
	{"-" + strings.Repeat("1", 4300), "!", "jiter counts the minus in its 4300 bound"},
	{strings.Repeat("0", 5000) + "1", "1", "leading zeros are stripped before the bound"},
}

func formatWhole(n wholeNumber) string {
	if n.neg {
		return "-" + n.digits
	}
	return n.digits
}

func TestParseWholeNumber(t *testing.T) {
	check := func(in, want, why string) {
		t.Helper()
		n, ok := parseWholeNumber(in)
		got := "!"
		if ok {
			got = formatWhole(n)
		}
		if got != want {
			t.Errorf("%.60q: got %.60s, want %.60s (%s)", in, got, want, why)
		}
	}
	for _, c := range pydanticCoreIntCases {
		check(c.in, c.want, "pydantic-core's test_int.py")
	}
	for _, c := range ourIntCases {
		check(c.in, c.want, c.why)
	}
}

func TestParsePort(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"8000", 8000, true},
		{"8000.0", 8000, true},
		{" 8000 ", 8000, true},
		{"8_000", 8000, true},
		{"0", 0, true}, // uvicorn binds a free port; run.py uses 8000
		{"-0", 0, true},
		{"65535", 65535, true},
		{"65536", 0, false},
		{"70000", 0, false},
		{"-1", 0, false},
		{"0000065535", 65535, true},
		{"99999999999999999999", 0, false},
		{"80a0", 0, false},
		{"8000.5", 0, false},
		{"0x1F40", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParsePort(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParsePort(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestParseBool: str_as_bool in pydantic-core's src/input/shared.rs, and
// tests/validators/test_bool.py's strings (yes, no, true, false, cheese).
func TestParseBool(t *testing.T) {
	truths := []string{"1", "t", "T", "y", "Y", "on", "ON", "oN", "yes", "YES", "Yes", "true", "TRUE", "True", "tRuE"}
	falsehoods := []string{"0", "f", "F", "n", "N", "no", "NO", "off", "Off", "OFF", "false", "FALSE", "False"}
	refused := []string{
		"", " ", "cheese", "2", "-1", "01", "1.0", "00", "+1", " true", "true ", "\ttrue", "yes\n",
		"tru", "truee", "enabled", "disabled", "none", "null",
		"yeſ",  // U+017F folds to s in Unicode, not in ASCII
		"ｔｒｕｅ", // full-width
		"\u0131", "TRUE\u0000",
	}
	for _, s := range truths {
		if v, ok := parseBool(s); !ok || !v {
			t.Errorf("%q: got %v, %v; want true", s, v, ok)
		}
	}
	for _, s := range falsehoods {
		if v, ok := parseBool(s); !ok || v {
			t.Errorf("%q: got %v, %v; want false", s, v, ok)
		}
	}
	for _, s := range refused {
		if _, ok := parseBool(s); ok {
			t.Errorf("%q: read as a boolean; pydantic 2 refuses it", s)
		}
	}
}

func TestParseStrList(t *testing.T) {
	tests := []struct {
		in   string
		want listProblem
		list string // the strings joined with |
	}{
		{`["http://localhost:3000", "http://localhost:5173"]`, listOK, "http://localhost:3000|http://localhost:5173"},
		{`[]`, listOK, ""},
		{" \t\r\n[ \"a\" ]\n", listOK, "a"},
		{`["\u00e9", "a\"b"]`, listOK, "é|a\"b"},
		{`null`, listNull, ""},
		{` null `, listNull, ""},
		{``, listNotJSON, ""},
		{` `, listNotJSON, ""},
		{`http://localhost:3000`, listNotJSON, ""},
		{`http://localhost:3000,http://localhost:5173`, listNotJSON, ""},
		{`['http://localhost:3000']`, listNotJSON, ""},
		{`["a",]`, listNotJSON, ""},
		{`["a"] x`, listNotJSON, ""},
		{"\ufeff[]", listNotJSON, ""},
		{"\v[]", listNotJSON, ""},
		{"\u00a0[]", listNotJSON, ""},
		{"[\"a\x01\"]", listNotJSON, ""},
		{`-NaN`, listNotJSON, ""},
		{`--Infinity`, listNotJSON, ""},
		{`NaNa`, listNotJSON, ""},
		{`"NaN`, listNotJSON, ""},
		{`NaN`, listNotStrings, ""},
		{`[NaN]`, listNotStrings, ""},
		{`[-Infinity, "a"]`, listNotStrings, ""},
		{`["NaN"]`, listOK, "NaN"},
		{`"abc"`, listNotStrings, ""},
		{`{}`, listNotStrings, ""},
		{`{"a": "b"}`, listNotStrings, ""},
		{`[1]`, listNotStrings, ""},
		{`[null]`, listNotStrings, ""},
		{`[true]`, listNotStrings, ""},
		{`[["a"]]`, listNotStrings, ""},
		{`1e400`, listNotStrings, ""},
		{`["a", 1e400]`, listNotStrings, ""},
		{`true`, listNotStrings, ""},
	}
	for _, tt := range tests {
		got, p := parseStrList(tt.in)
		if p != tt.want || strings.Join(got, "|") != tt.list {
			t.Errorf("%q: got %q, %d; want %q, %d", tt.in, got, p, tt.list, tt.want)
		}
	}
}

func TestShownValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"80a0", "80a0"},
		{"８０００", "８０００"},
		{" 8000", `" 8000"`},
		{"8000 ", `"8000 "`},
		{"80 00", `"80 00"`},
		{"a,b", `"a,b"`},
		{"a\tb", `"a\tb"`},
		{`say "hi"`, `"say \"hi\""`},
		{strings.Repeat("x", 70), strings.Repeat("x", 60) + "…"},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := shownValue(tt.in, ""); got != tt.want {
			t.Errorf("shownValue(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
