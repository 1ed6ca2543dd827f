package envfix

import (
	"regexp"
	"strings"
	"testing"
)

const testPath = "/x/backend/.env"

// TestStartErrors: every value FlowMeter would refuse is an error finding
// naming the line (or the environment variable) to correct; every value it
// accepts is not.
func TestStartErrors(t *testing.T) {
	tests := []struct {
		name, content string
		env           []string
		want          []string // "KEY:severity"
		message       string   // the first finding's whole message, when given
	}{
		{name: "port with .0 (issue 9)", content: "PORT=8000.0\n"},
		{name: "port with spaces", content: "PORT=\" 8000 \"\n"},
		{name: "port with underscore", content: "PORT=8_000\n"},
		{name: "port zero", content: "PORT=0\n"},
		{
			name: "port not a number", content: "HOST=127.0.0.1\n# the port\nPORT=80a0\n",
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start: line 3 of /x/backend/.env sets PORT=80a0, which FlowMeter cannot read as a whole number. Correct it (for example PORT=8000).",
		},
		{
			name: "port in hex", content: "PORT=0x1F40\n",
			want: []string{"PORT:error"},
		},
		{
			name: "port with a fraction", content: "PORT=8000.5\n",
			want: []string{"PORT:error"},
		},
		{
			name: "port full-width", content: "PORT=８０００\n",
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start: line 1 of /x/backend/.env sets PORT=８０００, which FlowMeter cannot read as a whole number. Correct it (for example PORT=8000).",
		},
		{
			name: "port empty", content: "PORT=\n",
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start: line 1 of /x/backend/.env sets PORT to an empty value, which FlowMeter cannot read as a whole number. Correct it (for example PORT=8000).",
		},
		{
			name: "port out of range", content: "PORT=70000\n",
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start with python -m app.main, run.py or the released app: line 1 of /x/backend/.env sets PORT=70000, which is not a port number (0 to 65535). Correct it (for example PORT=8000).",
		},
		{name: "bare port line unsets", content: "PORT=abc\nPORT\n"},
		{name: "folded keys, last value wins", content: "port=abc\nPORT=8000\n"},
		{
			name: "environment refused", content: "PORT=8000\n", env: []string{"Port=eighty"},
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start: the environment variable Port is eighty, which FlowMeter cannot read as a whole number. Correct or unset it where FlowMeter is started (for example PORT=8000).",
		},
		{
			name: "environment empty", content: "", env: []string{"PORT="},
			want:    []string{"PORT:error"},
			message: "FlowMeter will not start: the environment variable PORT is empty, which FlowMeter cannot read as a whole number. Correct or unset it where FlowMeter is started (for example PORT=8000).",
		},
		{name: "environment beats a refused file value", content: "PORT=abc\nDEBUG=maybe\n", env: []string{"PORT=8000", "DEBUG=0"}},
		{name: "debug on is true", content: "DEBUG=on\n", want: []string{"DEBUG:warning"}},
		{name: "debug yes is true", content: "DEBUG=yes\n", want: []string{"DEBUG:warning"}},
		{name: "debug T is true", content: "DEBUG=T\n", want: []string{"DEBUG:warning"}},
		{name: "debug off", content: "DEBUG=off\nALLOW_UNSAFE_FORMULAS=N\n"},
		{
			name: "debug refused", content: "DEBUG=maybe\n",
			want:    []string{"DEBUG:error"},
			message: "FlowMeter will not start: line 1 of /x/backend/.env sets DEBUG=maybe, which FlowMeter cannot read as true or false. Correct it (for example DEBUG=false).",
		},
		{
			name: "debug with a space inside quotes", content: "DEBUG=' true'\n",
			want:    []string{"DEBUG:error"},
			message: "FlowMeter will not start: line 1 of /x/backend/.env sets DEBUG=\" true\", which FlowMeter cannot read as true or false. Correct it (for example DEBUG=false).",
		},
		{name: "unsafe formulas on", content: "ALLOW_UNSAFE_FORMULAS=On\n", want: []string{"ALLOW_UNSAFE_FORMULAS:critical"}},
		{name: "unsafe formulas refused", content: "ALLOW_UNSAFE_FORMULAS=2\n", want: []string{"ALLOW_UNSAFE_FORMULAS:error"}},
		{
			name: "cors not JSON", content: "CORS_ORIGINS=http://localhost:3000,http://127.0.0.1:5173\n",
			want:    []string{"CORS_ORIGINS:error"},
			message: `FlowMeter will not start: line 1 of /x/backend/.env sets CORS_ORIGINS="http://localhost:3000,http://127.0.0.1:5173", which FlowMeter cannot read as a JSON list of strings. Correct it (for example CORS_ORIGINS=["http://localhost:3000","http://127.0.0.1:5173"]).`,
		},
		{
			name: "cors with a risky origin, not JSON", content: "CORS_ORIGINS=*\n",
			want:    []string{"CORS_ORIGINS:error"},
			message: `FlowMeter will not start: line 1 of /x/backend/.env sets CORS_ORIGINS=*, which FlowMeter cannot read as a JSON list of strings. Correct it (for example CORS_ORIGINS=["http://localhost:3000"]).`,
		},
		{name: "cors python quotes", content: "CORS_ORIGINS=['http://localhost:3000']\n", want: []string{"CORS_ORIGINS:error"}},
		{name: "cors a JSON string", content: "CORS_ORIGINS='\"http://localhost:3000\"'\n", want: []string{"CORS_ORIGINS:error"}},
		{name: "cors numbers", content: "CORS_ORIGINS=[3000]\n", want: []string{"CORS_ORIGINS:error"}},
		{name: "cors empty", content: "CORS_ORIGINS=\n", want: []string{"CORS_ORIGINS:error"}},
		{name: "cors null is the default", content: "CORS_ORIGINS=null\n"},
		{name: "cors empty list", content: "CORS_ORIGINS=[]\n"},
		{
			name: "cors file not JSON, environment good", content: "CORS_ORIGINS=oops\n", env: []string{`CORS_ORIGINS=["*"]`},
			want:    []string{"CORS_ORIGINS:error", "CORS_ORIGINS:warning"},
			message: `FlowMeter will not start: line 1 of /x/backend/.env sets CORS_ORIGINS=oops, which FlowMeter cannot read as a JSON list of strings; FlowMeter reads it even though the environment variable CORS_ORIGINS overrides it. Correct it (for example CORS_ORIGINS=["http://localhost:3000"]).`,
		},
		{name: "cors file JSON of the wrong type, environment wins", content: "CORS_ORIGINS='\"abc\"'\n", env: []string{`CORS_ORIGINS=["http://localhost:3000"]`}},
		{name: "cors environment null, the file applies", content: "CORS_ORIGINS=[\"*\"]\n", env: []string{"CORS_ORIGINS=null"}, want: []string{"CORS_ORIGINS:warning"}},
		{name: "cors both not JSON", content: "CORS_ORIGINS=a\n", env: []string{"CORS_ORIGINS=b"}, want: []string{"CORS_ORIGINS:error", "CORS_ORIGINS:error"}},
		{name: "cors environment not JSON hides the file's type", content: "CORS_ORIGINS=1\n", env: []string{"CORS_ORIGINS=b"}, want: []string{"CORS_ORIGINS:error"}},
		{name: "cors environment wrong type", content: "CORS_ORIGINS=[\"x\"]\n", env: []string{"CORS_ORIGINS={}"}, want: []string{"CORS_ORIGINS:error"}},
		{
			name: "extensions as a plain list", content: "ALLOWED_EXTENSIONS=.csv, .xlsx\n",
			want:    []string{"ALLOWED_EXTENSIONS:error"},
			message: `FlowMeter will not start: line 1 of /x/backend/.env sets ALLOWED_EXTENSIONS=".csv, .xlsx", which FlowMeter cannot read as a JSON list of strings. Correct it (for example ALLOWED_EXTENSIONS=[".csv",".xlsx"]).`,
		},
		{name: "extensions good", content: "ALLOWED_EXTENSIONS=[\".csv\"]\n"},
		{name: "file size with a unit", content: "MAX_FILE_SIZE_MB=50MB\n", want: []string{"MAX_FILE_SIZE_MB:error"}},
		{name: "file size negative is an int", content: "MAX_FILE_SIZE_MB=-5\n"},
		{name: "file size huge is an int", content: "MAX_FILE_SIZE_MB=99999999999999999999999\n"},
		{name: "datasets in exponent form", content: "MAX_DATASETS_PER_SESSION=1e3\n", want: []string{"MAX_DATASETS_PER_SESSION:error"}},
		{name: "str settings take anything", content: "APP_NAME=\nAPP_VERSION=x y\nUPLOAD_DIR=[\nHOST=\n"},
		{
			name: "every refusal, in config.py's order",
			content: "ALLOW_UNSAFE_FORMULAS=maybe\nMAX_DATASETS_PER_SESSION=x\nALLOWED_EXTENSIONS=x\nMAX_FILE_SIZE_MB=x\n" +
				"CORS_ORIGINS=x\nPORT=x\nDEBUG=x\n",
			want: []string{"DEBUG:error", "PORT:error", "CORS_ORIGINS:error", "MAX_FILE_SIZE_MB:error",
				"ALLOWED_EXTENSIONS:error", "MAX_DATASETS_PER_SESSION:error", "ALLOW_UNSAFE_FORMULAS:error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			risks := Read([]byte(tt.content), tt.env).RisksIn(testPath)
			var got []string
			for _, r := range risks {
				got = append(got, r.Key+":"+r.Severity)
				checkMessage(t, r)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("risks %v, want %v", got, tt.want)
			}
			if tt.message != "" && len(risks) > 0 && risks[0].Message != tt.message {
				t.Errorf("message\n got %s\nwant %s", risks[0].Message, tt.message)
			}
		})
	}
}

// quoted matches a Go-quoted string in a message.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// checkMessage checks what every finding's message promises.
func checkMessage(t *testing.T, r Risk) {
	t.Helper()
	m := r.Message
	// Values are shown quoted when they hold spaces; their dots do not end
	// sentences.
	words := quoted.ReplaceAllString(m, "V")
	if !strings.HasSuffix(m, ".") || strings.ContainsAny(m, "\n\r") || strings.Count(words, ". ") > 1 {
		t.Errorf("message is not one or two sentences on one line: %q", m)
	}
	if r.Severity != SeverityError {
		return
	}
	if !strings.HasPrefix(m, "FlowMeter will not start") {
		t.Errorf("error message does not say FlowMeter will not start: %q", m)
	}
	switch r.Setting.Source {
	case SourceEnvironment:
		if !strings.Contains(m, "the environment variable "+r.Setting.EnvName+" is ") {
			t.Errorf("error from the environment does not name the variable %s: %q", r.Setting.EnvName, m)
		}
	case SourceFile:
		if !strings.Contains(m, "line ") || !strings.Contains(m, r.Key) {
			t.Errorf("error from the file does not name the line and key: %q", m)
		}
	default:
		t.Errorf("an error about a default value: %+v", r)
	}
	if r.SafeValue != "" && r.SafeValue != "false" {
		t.Errorf("an error finding with the automatic fix %q", r.SafeValue)
	}
}

// TestStartErrorPathless: without a path the message names "the .env file".
func TestStartErrorPathless(t *testing.T) {
	risks := Read([]byte("PORT=x\n"), nil).Risks()
	want := "FlowMeter will not start: line 1 of the .env file sets PORT=x, which FlowMeter cannot read as a whole number. Correct it (for example PORT=8000)."
	if len(risks) != 1 || risks[0].Message != want {
		t.Errorf("got %+v, want %q", risks, want)
	}
}

// TestStartErrorFixes: a refused boolean is fixed to false, FlowMeter's
// default and the safe value; the other refusals have no automatic fix.
func TestStartErrorFixes(t *testing.T) {
	content := "DEBUG=maybe\nPORT=80a0\nALLOW_UNSAFE_FORMULAS=\"sometimes\"\n"
	f := &File{Path: testPath, Exists: true, Reading: Read([]byte(content), nil)}
	for _, r := range f.Reading.Risks() {
		if r.SafeValue == "" {
			if r.Key != "PORT" {
				t.Errorf("%s has no automatic fix", r.Key)
			}
			continue
		}
		p, err := PlanSet(f, r.Key, r.SafeValue)
		if err != nil {
			t.Fatal(err)
		}
		f = &File{Path: testPath, Exists: true, Reading: Read(p.After, nil)}
	}
	want := "DEBUG=false\nPORT=80a0\nALLOW_UNSAFE_FORMULAS=\"false\"\n"
	if got := string(f.Reading.Bytes); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if risks := f.Reading.Risks(); len(risks) != 1 || risks[0].Key != "PORT" {
		t.Errorf("risks left: %+v", risks)
	}
}

// TestPortIssue9: PORT=8000.0 is the port 8000, not an invalid port.
func TestPortIssue9(t *testing.T) {
	s, p, ok := Read([]byte("PORT=8000.0\n"), nil).Port()
	if p != 8000 || !ok || s.Source != SourceFile || s.Value != "8000.0" {
		t.Errorf("Port() = %+v, %d, %v; want 8000 from the file", s, p, ok)
	}
}
