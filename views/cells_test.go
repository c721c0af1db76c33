package views

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// cellInputs mix what the fast paths take (printable ASCII) with what they
// hand to the string forms: wide and combining runes, control bytes from
// the network, ellipses, dots and slashes where the elisions cut.
var cellInputs = []string{
	"", "a", "state", "EMS Building 02", "hvac-1.target-temperature", "smart-meter-v2.power",
	"state.temperature", ".hidden", "trailing.", "a.b.c.d", "x/y", "drivr/v1/acme/systems/5c39a4e0-9813-4e7e/json/error",
	"v1/device/dev-1/telemetry", "/leading", "no-slash-but-long-enough-to-cut", "ünïcödé/tøpic", "日本語のトピック/温度",
	"evil\x1b]2;pwned\x07", "e\u0301t\u0301e\u0301", "ab…cd", "\u202egnp.exe", "a\tb",
}

// appendCheck asserts that an append form writes, after what the buffer
// held, exactly what its string form returns.
func appendCheck(t *testing.T, name string, want string, app func([]byte) []byte) {
	t.Helper()
	if got := string(app([]byte("pre|"))); got != "pre|"+want {
		t.Errorf("%s: appended %q, string form %q", name, got[4:], want)
	}
}

func TestAppendFormsMatchStringForms(t *testing.T) {
	for _, s := range cellInputs {
		for _, s2 := range []string{"", "power", "hvac-1", "Ünit", "x.y"} {
			for w := -1; w <= 60; w++ {
				id := fmt.Sprintf("(%q,%q,%d)", s, s2, w)
				appendCheck(t, "fit"+id, fit(s, w), func(b []byte) []byte { return appendFit(b, s, w) })
				appendCheck(t, "fitRight"+id, fitRight(s, w), func(b []byte) []byte { return appendFitRight(b, s, w) })
				appendCheck(t, "fitMiddle"+id, fitMiddle(s, w), func(b []byte) []byte { return appendFitMiddle(b, s, w) })
				appendCheck(t, "tailFit"+id, tailFit(s, w), func(b []byte) []byte { return appendTailFit(b, s, w) })
				appendCheck(t, "topicFit"+id, topicFit(s, w), func(b []byte) []byte { return appendTopicFit(b, s, w) })
				appendCheck(t, "fitDotted"+id, fitDotted(s2, s, w), func(b []byte) []byte { return appendFitDotted(b, s2, s, w) })
				appendCheck(t, "fitDotted'"+id, fitDotted(s, s2, w), func(b []byte) []byte { return appendFitDotted(b, s, s2, w) })
				sys, comp := safe(s), safe(s2)
				appendCheck(t, "fitEntity"+id, fitEntity(sys, comp, w), func(b []byte) []byte { return appendFitEntity(b, sys, comp, w) })
				if w >= 0 {
					appendCheck(t, "glyphWord"+id, padGlyph("●", s, w), func(b []byte) []byte { return appendGlyphWord(b, "●", s, w) })
				}
			}
		}
	}
}

// padGlyph is the string form of a glyph cell, as the rows built it
// before appendGlyphWord: measured as 2+width(word), cut only when wider.
func padGlyph(glyph, word string, w int) string {
	s, have := glyph+" "+word, 2+width(word)
	if have <= w {
		return s + spaces(w-have)
	}
	return fit(s, w)
}

// Age, Size and Sparkline are built on their append forms; these are the
// texts they always had (fmt's %d and %.1f).
func TestAgeSizeSparklineTexts(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Hour, "now"}, {0, "now"}, {999 * time.Millisecond, "now"}, {time.Second, "1s"}, {59 * time.Second, "59s"},
		{time.Minute, "1m"}, {59 * time.Minute, "59m"}, {time.Hour, "1h"}, {47 * time.Hour, "47h"}, {48 * time.Hour, "2d"},
		{400 * 24 * time.Hour, "400d"},
	} {
		if got := Age(now, now.Add(-c.d)); got != c.want {
			t.Errorf("Age(-%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := Age(now, time.Time{}); got != "-" {
		t.Errorf("Age(zero) = %q, want -", got)
	}
	for _, n := range []int{-5, 0, 312, 9_999, 10_000, 42_049, 999_949, 999_999, 1_000_000, 1_549_999, 7_300_000_000} {
		want := fmt.Sprint(n)
		switch {
		case n >= 1_000_000:
			want = fmt.Sprintf("%.1fM", float64(n)/1e6)
		case n >= 10_000:
			want = fmt.Sprintf("%.1fk", float64(n)/1e3)
		}
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	vals := []float64{1, 2, math.NaN(), 3, math.Inf(1), 8, 0}
	for w := 0; w <= 10; w++ {
		got := Sparkline(vals, w)
		if width(got) != w {
			t.Errorf("Sparkline width %d: %d cells (%q)", w, width(got), got)
		}
	}
	if got := Sparkline([]float64{5, 5, math.NaN(), 0}, 5); got != " ██ ▁" {
		t.Errorf("Sparkline(5, 5, NaN, 0) = %q, want \" ██ ▁\"", got)
	}
	if got := Sparkline([]float64{5, 5, math.NaN()}, 4); got != " ▄▄ " {
		t.Errorf("Sparkline of a flat series = %q, want \" ▄▄ \"", got)
	}
	if got := Sparkline([]float64{0, 7}, 3); got != " ▁█" {
		t.Errorf("Sparkline(0, 7) = %q, want \" ▁█\"", got)
	}
}

// The events' ack cell is AckText fitted, for every event of the fixture
// fleets (acknowledged by someone, acknowledged, not yet) and for made-up
// ones: an event that cannot be acknowledged, acknowledgers whose ids are
// not plain ASCII or are long.
func TestAppendAckMatchesAckText(t *testing.T) {
	kinds := map[string]bool{}
	made := []*fleet.Event{{}, {Acked: true}, {Acked: true, AckUser: "ünïcödé-operator"},
		{Acked: true, AckUser: "x\x1b[2Jevil"}, {Acked: true, AckUser: "a-very-long-operator-name@example.com"}}
	check := func(now time.Time, es []*fleet.Event) {
		for _, e := range es {
			ack, acked := AckText(e, now)
			switch {
			case acked && e.AckUser != "":
				kinds["by"] = true
			case acked:
				kinds["acked"] = true
			default:
				kinds[ack] = true
			}
			for w := -1; w <= 24; w++ {
				appendCheck(t, fmt.Sprintf("ack(%q,%d)", ack, w), fit(ack, w), func(b []byte) []byte { return appendAck(b, e, now, w) })
			}
		}
	}
	check(fixture.Now, made)
	for _, store := range []*fleet.Store{fixture.Fleet(), fixture.Large(20)} {
		es, _ := store.EventsWindow(fleet.EventQuery{}, 0, 1000, nil)
		check(store.Now(), es)
	}
	for _, k := range []string{"by", "acked", "not yet", "-"} {
		if !kinds[k] {
			t.Errorf("no event whose ack reads %q", k)
		}
	}
}

// The tree's payload cell, counts and sizes are their string forms: the
// payload over blanks to collapse, controls, wide text, invalid UTF-8 past
// the part shown (which makes it hex), and hex; the figures at every unit's
// edges, against the fmt verbs they were written with.
func TestTreeAppendFormsMatchStringForms(t *testing.T) {
	long := strings.Repeat("word ", 40)
	payloads := [][]byte{nil, []byte(""), []byte("   "), []byte(`{"temp": 21.5, "fan_speed": 1200, "state": "ok"}`),
		[]byte("  line one\n\tline two\r\n\v\fthree  "), []byte("ctl\x1b[2J\x07 here"), []byte("del\x7f"),
		[]byte("日本語 テキスト  です"), []byte("naïve   café"), append([]byte(long), 0xff, 0xfe), []byte{0x00, 0x01, 0xff},
		[]byte(long),
	}
	for _, p := range payloads {
		for _, hex := range []bool{false, true} {
			for w := -1; w <= 40; w++ {
				want := PayloadSummary(p, hex, w)
				got, n := appendPayloadSummary([]byte("pre|"), p, hex, w)
				if string(got) != "pre|"+want || n != width(want) {
					t.Errorf("payload %q hex %v w %d: appended %q (%d cells), PayloadSummary %q (%d)", p, hex, w, got[4:], n, want, width(want))
				}
			}
		}
	}
	for _, n := range []uint64{0, 9_999, 10_000, 999_999, 1_000_000, 1_049_999, 9_999_999, 10_000_000, 1 << 40} {
		want := fmt.Sprint(n)
		switch {
		case n >= 10_000_000:
			want = fmt.Sprintf("%dM", n/1_000_000)
		case n >= 1_000_000:
			want = fmt.Sprintf("%.1fM", float64(n)/1e6)
		case n >= 10_000:
			want = fmt.Sprintf("%dk", n/1000)
		}
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
	for _, n := range []uint64{0, 1023, 1024, 1<<20 - 1, 1 << 20, 10<<20 - 1, 10 << 20, 1<<30 - 1, 1 << 30, 5 << 40} {
		var want string
		switch {
		case n < 1024:
			want = fmt.Sprintf("%dB", n)
		case n < 1<<20:
			want = fmt.Sprintf("%dK", n/1024)
		case n < 10<<20:
			want = fmt.Sprintf("%.1fM", float64(n)/(1<<20))
		case n < 1<<30:
			want = fmt.Sprintf("%dM", n/(1<<20))
		default:
			want = fmt.Sprintf("%.1fG", float64(n)/(1<<30))
		}
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
