package fleet

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrBadFilter is wrapped by ValidTopicFilter's errors.
var ErrBadFilter = errors.New("invalid topic filter")

// ValidTopicFilter checks an MQTT topic filter: not empty, at most 65535
// bytes of UTF-8 without NUL, + only as a whole level, # only as the whole
// last level.
func ValidTopicFilter(filter string) error {
	switch {
	case filter == "":
		return fmt.Errorf("empty: %w", ErrBadFilter)
	case len(filter) > 65535:
		return fmt.Errorf("longer than 65535 bytes: %w", ErrBadFilter)
	case !utf8.ValidString(filter):
		return fmt.Errorf("not UTF-8: %w", ErrBadFilter)
	case strings.IndexByte(filter, 0) >= 0:
		return fmt.Errorf("contains NUL: %w", ErrBadFilter)
	}
	rest := filter
	for {
		level, tail, more := cutLevel(rest)
		switch {
		case level == "#" && more:
			return fmt.Errorf("# must be the last level: %w", ErrBadFilter)
		case level != "#" && strings.IndexByte(level, '#') >= 0:
			return fmt.Errorf("# must be a whole level: %w", ErrBadFilter)
		case level != "+" && strings.IndexByte(level, '+') >= 0:
			return fmt.Errorf("+ must be a whole level: %w", ErrBadFilter)
		}
		if !more {
			return nil
		}
		rest = tail
	}
}

// cutLevel splits the first level off a topic or filter.
func cutLevel(s string) (level, rest string, more bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// MatchTopic reports whether topic matches filter by MQTT rules: + is one
// level (possibly empty), # is any number of levels including none (a/#
// matches a), and a leading wildcard does not match topics starting with $.
// A filter with a misplaced wildcard matches nothing; checking its length,
// UTF-8 and NUL is ValidTopicFilter's job, done once per filter. It does
// not allocate.
func MatchTopic(filter, topic string) bool {
	if filter == "" || topic == "" {
		return false
	}
	if topic[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	for {
		fl, frest, fmore := cutLevel(filter)
		if fl == "#" {
			return !fmore
		}
		if fl != "+" && strings.ContainsAny(fl, "+#") {
			return false
		}
		tl, trest, tmore := cutLevel(topic)
		if fl != "+" && fl != tl {
			return false
		}
		switch {
		case !fmore:
			return !tmore
		case !tmore:
			return frest == "#"
		}
		filter, topic = frest, trest
	}
}
