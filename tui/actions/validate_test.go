package actions

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

func TestValidateTopic(t *testing.T) {
	cases := []struct {
		topic string
		want  string // substring of the error, "" for valid
	}{
		{"drivr/v1/x/input/event/s/u/json", ""},
		{"", "empty"},
		{"a/+/b", "wildcards"},
		{"a/#", "wildcards"},
		{"a/\x00", "NUL"},
		{"$SYS/x", "reserved"},
		{"a/\xff", "UTF-8"},
		{strings.Repeat("a", 65536), "limit"},
	}
	for _, c := range cases {
		err := ValidateTopic(c.topic)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: unexpected %v", c.topic, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.20q: got %v, want error containing %q", c.topic, err, c.want)
		}
	}
	if !errors.Is(ValidateTopic("x/+"), ErrWildcard) {
		t.Error("wildcard error must wrap ErrWildcard")
	}
}

func TestValidateSegment(t *testing.T) {
	for _, bad := range []string{"", " ", "a/b", "a+", "#"} {
		if ValidateSegment(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := ValidateSegment("792b6149-1daa-488f-b07a-f684503b0586"); err != nil {
		t.Error(err)
	}
}

func TestValidateJSONReportsOffset(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{`{"a": 1}`, ""},
		{` [1, 2] `, ""},
		{`{"a": 1,}`, "offset 8 (line 1, column 9)"},
		{"{\n  \"a\": tru\n}", "line 2"},
		{`{"a": 1`, "offset 7"},
		{`{"a": 1} {"b": 2}`, "extra data"},
		{`{"a": 1} x`, "offset 9"},
		{"   ", "empty"},
	}
	for _, c := range cases {
		err := ValidateJSON([]byte(c.in))
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
	if ValidateJSONObject([]byte(`[1]`)) == nil {
		t.Error("array accepted as object")
	}
}

func TestParseHelpers(t *testing.T) {
	now := time.Date(2025, 5, 9, 13, 28, 42, 611276000, time.UTC)
	if got, _ := ParseTime("now", now); !got.Equal(now) {
		t.Errorf("now: %v", got)
	}
	if got, _ := ParseTime("", now); !got.IsZero() {
		t.Errorf("empty: %v", got)
	}
	got, err := ParseTime("2025-05-09T13:28:42.611276+00:00", now)
	if err != nil || !got.Equal(now) {
		t.Errorf("rfc3339: %v %v", got, err)
	}
	if _, err := ParseTime("yesterday", now); err == nil {
		t.Error("bad time accepted")
	}
	for in, want := range map[string]byte{"0": 0, "1": 1, "2": 2, "": 0} {
		if q, err := ParseQoS(in); err != nil || q != want {
			t.Errorf("qos %q: %d %v", in, q, err)
		}
	}
	if _, err := ParseQoS("3"); !errors.Is(err, ErrBadQoS) {
		t.Errorf("qos 3: %v", err)
	}
	if b, err := ParseBool("yes"); !b || err != nil {
		t.Error("yes")
	}
	if _, err := ParseBool("maybe"); err == nil {
		t.Error("maybe accepted")
	}
}

func TestSecretLoadAndMask(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/key"
	writeFile(t, file, "s3cr3t-from-file\n")
	t.Setenv("MQDECK_TEST_KEY", "")
	s := Secret{Env: "MQDECK_TEST_KEY", File: file}
	if v, err := s.Load(); err != nil || v != "s3cr3t-from-file" {
		t.Fatalf("file fallback: %q %v", v, err)
	}
	t.Setenv("MQDECK_TEST_KEY", "s3cr3t-env")
	if v, err := s.Load(); err != nil || v != "s3cr3t-env" {
		t.Fatalf("env: %q %v", v, err)
	}
	if _, err := (Secret{}).Load(); !errors.Is(err, ErrNoSecret) {
		t.Errorf("unconfigured: %v", err)
	}
	_, err := Secret{File: dir + "/missing"}.Load()
	if err == nil {
		t.Fatal("missing file accepted")
	}
}

// An answer's summary shows an empty object or list as such: SmartWorks'
// status with `"data": {}` read "data: ," as if a value were missing.
func TestSummaryShowsEmptyObjectsAndLists(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"status":"success","data":{},"note":"x"}`, "status: success, data: {}, note: x"},
		{`{"errors":[],"id":7}`, "errors: [], id: 7"},
		{`{"eventModel":["Unknown field."]}`, "eventModel: Unknown field."},
	} {
		n, err := decode.ParseJSON(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(decode.Value{Data: n}); got != c.want {
			t.Errorf("summary(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}
