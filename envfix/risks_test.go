package envfix

import (
	"strings"
	"testing"
)

func TestRisks(t *testing.T) {
	tests := []struct {
		name, content string
		env           []string
		want          []string // "KEY:severity"
	}{
		{"env example", "DEBUG=true\nHOST=0.0.0.0\nCORS_ORIGINS=[\"http://localhost:3000\"]\n", nil, []string{"DEBUG:warning"}},
		{"unsafe formulas", "ALLOW_UNSAFE_FORMULAS=True\n", nil, []string{"ALLOW_UNSAFE_FORMULAS:critical"}},
		{"sandbox on", "ALLOW_UNSAFE_FORMULAS=false\nDEBUG=0\n", nil, nil},
		{"cors star", "CORS_ORIGINS=[\"*\"]\n", nil, []string{"CORS_ORIGINS:warning"}},
		{"cors other site", "cors_origins='[\"http://127.0.0.1:3000\", \"https://evil.example\"]'\n", nil, []string{"CORS_ORIGINS:warning"}},
		{"cors local", "CORS_ORIGINS=[\"http://localhost:3000\",\"http://127.0.0.1:5173\",\"http://[::1]:3000\"]\n", nil, nil},
		{"environment beats file", "DEBUG=false\n", []string{"DEBUG=yes"}, []string{"DEBUG:warning"}},
		{"bare key unsets", "DEBUG=true\nDEBUG\n", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range Read([]byte(tt.content), tt.env).Risks() {
				got = append(got, r.Key+":"+r.Severity)
				if !strings.HasSuffix(r.Message, ".") || strings.Contains(r.Message, "\n") {
					t.Errorf("message is not one sentence: %q", r.Message)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("risks %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRiskFixes: each risk's safe value, written with PlanSet, removes it
// and changes nothing else.
func TestRiskFixes(t *testing.T) {
	content := "APP_NAME=FlowMeter API\nDEBUG=true # for now\nALLOW_UNSAFE_FORMULAS='yes'\nCORS_ORIGINS=[\"*\"]\n"
	f := &File{Path: ".env", Exists: true, Reading: Read([]byte(content), nil)}
	for _, r := range f.Reading.Risks() {
		p, err := PlanSet(f, r.Key, r.SafeValue)
		if err != nil {
			t.Fatal(err)
		}
		f = &File{Path: ".env", Exists: true, Reading: Read(p.After, nil)}
	}
	if risks := f.Reading.Risks(); len(risks) != 0 {
		t.Errorf("risks left: %+v", risks)
	}
	want := "APP_NAME=FlowMeter API\nDEBUG=false # for now\nALLOW_UNSAFE_FORMULAS='false'\nCORS_ORIGINS=[\"http://localhost:3000\"]\n"
	if got := string(f.Reading.Bytes); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
