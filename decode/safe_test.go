package decode

import (
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// assertTerminalSafe checks the sanitizer's property: nothing a terminal
// would interpret as a control, nothing that reorders or hides text, valid
// UTF-8.
func assertTerminalSafe(t testing.TB, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 in %q", s)
	}
	prevNonASCII := false
	for i, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			t.Fatalf("C0/DEL %U at %d in %q", r, i, s)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("C1 %U at %d in %q", r, i, s)
		case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			t.Fatalf("bidi control %U at %d in %q", r, i, s)
		case r == 0x200b || r == 0xfeff || r == 0x2060 || r == 0x2028 || r == 0x2029:
			t.Fatalf("invisible %U at %d in %q", r, i, s)
		case (r == 0x200c || r == 0x200d) && !prevNonASCII:
			t.Fatalf("zero-width joiner %U after ASCII at %d in %q", r, i, s)
		}
		prevNonASCII = r >= utf8.RuneSelf
	}
}

func TestSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ASCII stays", "plain ASCII stays"},
		{"Grüße, 温度 😀", "Grüße, 温度 😀"},
		{"\x1b]2;title\x07", "␛]2;title␇"},
		{"\x1b[2J\x1b[H", "␛[2J␛[H"},
		{"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "␛]8;;http://evil␛\\link␛]8;;␛\\"},
		{"csi\u009b2J", "csi\uFFFD2J"},
		{"raw c1 byte \x9b", "raw c1 byte \uFFFD"},
		{"abc\u202edcba", "abc\uFFFDdcba"},
		{"\u2066isolate\u2069 \u200emark\u200f \u061c", "\uFFFDisolate\uFFFD \uFFFDmark\uFFFD \uFFFD"},
		{"bad \xff\xfe utf8", "bad \uFFFD\uFFFD utf8"},
		{"tab\there", "tab here"},
		{"line\nbreak\r", "line␊break␍"},
		{"del\x7f nul\x00", "del␡ nul␀"},
		{"zero\u200bwidth \ufeffbom", "zero\uFFFDwidth \uFFFDbom"},
		{"sta\u200dtus", "sta\uFFFDtus"},       // ZWJ between ASCII letters hides itself
		{"👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"}, // but joins an emoji family
		{"\u2028sep", "\uFFFDsep"},
	}
	for _, tc := range cases {
		got := Safe(tc.in)
		if got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		assertTerminalSafe(t, got)
		if Safe(got) != got {
			t.Errorf("Safe is not idempotent on %q", got)
		}
		if SafeBytes([]byte(tc.in)) != tc.want {
			t.Errorf("SafeBytes(%q) differs", tc.in)
		}
	}
}

func TestSafeCleanDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"drivr/v1/company-example/systems/792b6149/events", "Température 温度 😀"} {
		if n := testing.AllocsPerRun(100, func() { _ = Safe(s) }); n != 0 {
			t.Errorf("Safe(%q) allocates %v times", s, n)
		}
	}
}

func TestWidthAndTruncate(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
		w     int // Width(in)
	}{
		{"hello", 10, "hello", 5},
		{"hello world", 5, "hell…", 11},
		{"温度温度", 5, "温度…", 8},
		{"温度温度", 4, "温…", 8},
		{"e\u0301e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301…", 4}, // combining accents stay on their letter
		{"👨\u200d👩\u200d👧 family", 4, "👨\u200d👩\u200d👧 …", 9},
		{"👨\u200d👩\u200d👧 family", 3, "👨\u200d👩\u200d👧…", 9},
		{"\x1b[2Jx", 10, "␛[2Jx", 5},
		{"abc", 0, "", 3},
		{"abc", 1, "…", 3},
	}
	for _, tc := range cases {
		if got := Width(tc.in); got != tc.w {
			t.Errorf("Width(%q) = %d, want %d", tc.in, got, tc.w)
		}
		got := Truncate(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if Width(got) > tc.width {
			t.Errorf("Truncate(%q, %d) is %d wide", tc.in, tc.width, Width(got))
		}
		assertTerminalSafe(t, got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Truncate("short ascii", 40) }); n != 0 {
		t.Errorf("Truncate of a short clean string allocates %v times", n)
	}
}

func TestTruncateHugeStringIsBounded(t *testing.T) {
	s := strings.Repeat("\x1b温", 1<<18) // 1 MiB, dirty
	if got := Truncate(s, 10); got != "␛温␛温␛温…" {
		t.Fatalf("Truncate = %q", got)
	}
	// Only a prefix is made safe: Safe(s) would allocate over a megabyte.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_ = Truncate(s, 10)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 4096 {
		t.Fatalf("Truncate of a 1 MiB string allocates %d bytes", per)
	}
}

func TestSplitWidth(t *testing.T) {
	parts := splitWidth("ab温cd", 2)
	if strings.Join(parts, "|") != "ab|温|cd" {
		t.Fatalf("parts %q", parts)
	}
	// A grapheme wider than the width still makes progress.
	if parts := splitWidth("温温", 1); len(parts) != 2 {
		t.Fatalf("parts %q", parts)
	}
}
