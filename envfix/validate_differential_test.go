package envfix

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// pythonListScript is what pydantic-settings and pydantic 2 do with a
// list[str] setting, in the real Python: decode_complex_value's json.loads
// (a ValueError there is pydantic-settings' SettingsError), None dropped,
// then lax list[str] validation, which for json.loads' output accepts a list
// of str and nothing else. It prints one line per input: the category and,
// for a list, its length.
const pythonListScript = `import json, sys
for s in json.load(sys.stdin):
    try:
        v = json.loads(s)
    except ValueError:
        print("notjson"); continue
    if v is None:
        print("null")
    elif type(v) is list and all(type(x) is str for x in v):
        print("ok %d" % len(v))
    else:
        print("notstrings")
`

// TestListAsPythonJSON compares parseStrList with Python's json over every
// sequence of up to four tokens that JSON, Python's dialect of it and the
// mistakes people make in CORS_ORIGINS are built of, and over the table
// cases. (pydantic 2 itself cannot be installed here; the JSON decoding is
// the part Go and Python could disagree on.)
func TestListAsPythonJSON(t *testing.T) {
	requirePython(t)
	tokens := []string{"[", "]", `"a"`, `"`, ",", " ", "1", "-", "NaN", "Infinity", "null",
		`\`, "{", "}", ":", `"\u00e9"`, "\t", "\v", "e", "'", "\ufeff"}
	inputs := []string{""}
	level := []string{""}
	for n := 1; n <= 4; n++ {
		var next []string
		for _, p := range level {
			for _, tok := range tokens {
				next = append(next, p+tok)
			}
		}
		inputs = append(inputs, next...)
		level = next
	}
	inputs = append(inputs,
		`["http://localhost:3000", "http://localhost:5173"]`, "\u00a0[]", "[\"a\x01\"]", `["\ud800"]`,
		`1e400`, `["a", 1e400]`, `[-Infinity, "a"]`, `--Infinity`, `NaNa`, `[["a"]]`, `{"a": "b"}`,
		`["a"] x`, "\r\n[\"a\"]\r\n", `[1.5e+3]`, `["\/"]`, `["\x"]`, `[01]`, `-0`, `[-]`)

	payload, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, "-c", pythonListScript)
	cmd.Stdin = bytes.NewReader(payload)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("python answered %d of %d inputs", len(lines), len(inputs))
	}
	names := map[listProblem]string{listOK: "ok", listNull: "null", listNotJSON: "notjson", listNotStrings: "notstrings"}
	bad := 0
	for i, in := range inputs {
		list, p := parseStrList(in)
		got := names[p]
		if p == listOK {
			got += " " + strconv.Itoa(len(list))
		}
		if got != lines[i] {
			if bad++; bad <= 20 {
				t.Errorf("%q: Python %s, Localguard %s", in, lines[i], got)
			}
		}
	}
	t.Logf("%d values compared with Python's json", len(inputs))
}
