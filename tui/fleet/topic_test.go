package fleet

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatchTopic(t *testing.T) {
	long := strings.Repeat("a/", 30000) + "b"
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b/c", "a/b/c", true},
		{"a/b/c", "a/b", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b/d", false},
		{"A/b", "a/b", false}, // case-sensitive
		{"+", "a", true},
		{"+", "a/b", false},
		{"+", "", false}, // an empty topic is not a topic
		{"+/+", "/x", true},
		{"/+", "/x", true},
		{"+", "/x", false},
		{"a/+", "a/", true}, // + matches an empty level
		{"a/+/c", "a//c", true},
		{"a/+/c", "a/b/c/d", false},
		{"#", "a", true},
		{"#", "a/b/c", true},
		{"#", "/", true},
		{"a/#", "a", true}, // # includes the parent level
		{"a/#", "a/b/c", true},
		{"a/#", "ab", false},
		{"a/#", "b/a", false},
		{"a/+/#", "a/b", true},
		{"a/+/#", "a", false},
		{"+/+/#", "a/b/c/d", true},
		{"#", "$SYS/broker/load", false}, // wildcards do not match $ topics at the first level
		{"+/broker/load", "$SYS/broker/load", false},
		{"$SYS/#", "$SYS/broker/load", true},
		{"$SYS/+/load", "$SYS/broker/load", true},
		{"a/$x", "a/$x", true},
		{"a/#/b", "a/x/b", false}, // invalid filters match nothing
		{"a/b#", "a/b#", false},
		{"a+/b", "a+/b", false},
		{"", "a", false},
		{"drivr/v1/+/systems/+/events/+/state", "drivr/v1/company-example/systems/792b/events/a707/state", true},
		{"drivr/v1/+/input/#", "drivr/v1/company-example/input/event/s/792b/json/error", true},
		{"drivr/v1/+/input/+/+/+/json/error", "drivr/v1/company-example/input/event/c/6d6e/json/error", true},
		{"v1/device/+/telemetry", "v1/device/DEVICE_ID/telemetry", true},
		{"v1/device/+/telemetry", "v1/device/DEVICE_ID/config/update", false},
		{"a/#", long, true},
		{strings.Repeat("+/", 30000) + "b", long, true},
		{strings.Repeat("+/", 30000) + "c", long, false},
	}
	for _, c := range cases {
		if got := MatchTopic(c.filter, c.topic); got != c.want {
			name := c.filter + " ~ " + c.topic
			if len(name) > 80 {
				name = name[:80] + "…"
			}
			t.Errorf("MatchTopic(%s) = %v, want %v", name, got, c.want)
		}
	}
}

func TestValidTopicFilter(t *testing.T) {
	for _, f := range []string{"a", "#", "+", "a/#", "+/+/#", "/", "a//b", "$SYS/#", "a/+/c"} {
		if err := ValidTopicFilter(f); err != nil {
			t.Errorf("ValidTopicFilter(%q) = %v, want nil", f, err)
		}
	}
	for _, f := range []string{"", "a/#/b", "#/a", "a#", "a/b+", "+a", "a\x00b", "\xff", strings.Repeat("x", 65536)} {
		err := ValidTopicFilter(f)
		if !errors.Is(err, ErrBadFilter) {
			t.Errorf("ValidTopicFilter(%.20q) = %v, want ErrBadFilter", f, err)
		}
	}
}

func TestMatchTopicDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		MatchTopic("drivr/v1/+/systems/+/events/#", "drivr/v1/company-example/systems/792b/events/a707/state")
	})
	if n != 0 {
		t.Errorf("%v allocations per match", n)
	}
}

func FuzzMatchTopic(f *testing.F) {
	f.Add("a/+/#", "a/b/c")
	f.Add("#", "$SYS/x")
	f.Add("+/+", "/")
	f.Fuzz(func(t *testing.T, filter, topic string) {
		got := MatchTopic(filter, topic)
		// Misplaced wildcards never match (NUL, UTF-8 and length are
		// checked once per filter by ValidTopicFilter, not here).
		placement := !strings.ContainsRune(filter, 0) && utf8.ValidString(filter) && len(filter) <= 65535
		if err := ValidTopicFilter(filter); got && err != nil && placement {
			t.Fatalf("filter %q (%v) matched %q", filter, err, topic)
		}
		// A filter without wildcards matches exactly its own text.
		if !strings.ContainsAny(filter, "+#") && filter != "" && topic != "" && got != (filter == topic) {
			t.Fatalf("literal %q vs %q: %v", filter, topic, got)
		}
		// Any topic matches itself as a filter when it has no wildcards.
		if topic != "" && !strings.ContainsAny(topic, "+#") && !MatchTopic(topic, topic) {
			t.Fatalf("%q does not match itself", topic)
		}
	})
}
