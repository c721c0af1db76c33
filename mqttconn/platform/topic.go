package platform

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error sentinels, wrapped with context by New and the action builders.
var (
	ErrUnknownPlatform = errors.New("unknown platform")
	ErrMissingParam    = errors.New("missing parameter")
	ErrInvalidParam    = errors.New("invalid parameter")
)

// maxTopic is the MQTT limit on a topic's length (a two-byte length prefix).
const maxTopic = 65535

// cut splits the first level off s. more reports whether a '/' followed,
// so "a/" gives ("a", "", true): an empty last level, not the end.
func cut(s string) (level, rest string, more bool) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// hostile reports a topic no broker may deliver: wildcards and NUL are
// forbidden in topic names. Such a topic is routed as unknown, never as an
// entity called "+".
func hostile(topic string) bool {
	// Three vectorised byte searches beat one ContainsAny loop on long topics.
	return topic == "" || strings.IndexByte(topic, '+') >= 0 || strings.IndexByte(topic, '#') >= 0 ||
		strings.IndexByte(topic, 0) >= 0
}

// idOK accepts a level used as an id: not empty. Wildcards and NUL were
// already refused by hostile; invalid UTF-8 is kept (the UI sanitizes).
func idOK(level string) bool { return level != "" }

// checkLevel validates a parameter that becomes one topic level of a filter
// or an action topic.
func checkLevel(what, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s is empty: %w", what, ErrMissingParam)
	case strings.ContainsAny(v, "/+#\x00"):
		return fmt.Errorf("%s %q must be one topic level without '/', '+', '#' or NUL: %w", what, v, ErrInvalidParam)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8: %w", what, ErrInvalidParam)
	case len(v) > 1024:
		return fmt.Errorf("%s is %d bytes long: %w", what, len(v), ErrInvalidParam)
	}
	return nil
}

// CheckTopic validates a topic to publish to: not empty, no wildcard, no
// NUL, valid UTF-8, within the MQTT length limit, not a broker '$' topic.
func CheckTopic(topic string) error {
	switch {
	case topic == "":
		return fmt.Errorf("topic is empty: %w", ErrInvalidParam)
	case len(topic) > maxTopic:
		return fmt.Errorf("topic is %d bytes, the MQTT limit is %d: %w", len(topic), maxTopic, ErrInvalidParam)
	case strings.ContainsAny(topic, "+#\x00"):
		return fmt.Errorf("topic %q holds a wildcard or NUL: %w", topic, ErrInvalidParam)
	case !utf8.ValidString(topic):
		return fmt.Errorf("topic is not valid UTF-8: %w", ErrInvalidParam)
	case topic[0] == '$':
		return fmt.Errorf("topic %q starts with '$' (reserved for the broker): %w", topic, ErrInvalidParam)
	}
	return nil
}

// CheckFilter validates a subscription filter and refuses shared
// subscriptions: a monitoring console in a $share group would steal
// messages from the backend that owns the group.
func CheckFilter(filter string) error {
	switch {
	case filter == "":
		return fmt.Errorf("filter is empty: %w", ErrInvalidParam)
	case len(filter) > maxTopic:
		return fmt.Errorf("filter is %d bytes, the MQTT limit is %d: %w", len(filter), maxTopic, ErrInvalidParam)
	case !utf8.ValidString(filter) || strings.IndexByte(filter, 0) >= 0:
		return fmt.Errorf("filter is not valid UTF-8 or holds NUL: %w", ErrInvalidParam)
	}
	first, _, _ := cut(filter)
	if strings.EqualFold(first, "$share") || strings.EqualFold(first, "$shared") {
		return fmt.Errorf("filter %q joins a shared subscription group; a console must not take messages from the group's owner: %w", filter, ErrInvalidParam)
	}
	rest, more := filter, true
	for more {
		var level string
		level, rest, more = cut(rest)
		if level == "#" && more {
			return fmt.Errorf("filter %q: '#' must be the last level: %w", filter, ErrInvalidParam)
		}
		if len(level) > 1 && strings.ContainsAny(level, "+#") {
			return fmt.Errorf("filter %q: a wildcard must fill a whole level: %w", filter, ErrInvalidParam)
		}
	}
	return nil
}

// ErrorTopic is the twin of a DRIVR input topic on which the platform
// reports what it could not process.
func ErrorTopic(input string) string { return input + "/error" }
